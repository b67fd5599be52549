//! Vectors for each binding, each rule of message choice and match conditions, each kind of
//! error, and hostile inputs (which must end in an error, never a panic).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use serde_json::{Value, json};

use super::{
    CelError, CelInput, CelLimits, CelOutcome, CelProgram, CelViolation, FailurePolicy, env,
};

fn pod(name: &str, containers: Value) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"containers": containers},
    })
}

fn create() -> Value {
    json!({"operation": "CREATE", "kind": {"group": "", "version": "v1", "kind": "Pod"}})
}

fn compile(source: Value) -> CelProgram {
    match CelProgram::compile(&source) {
        Ok(p) => p,
        Err(e) => panic!("{source} should compile: {e}"),
    }
}

fn compile_error(source: Value) -> String {
    match CelProgram::compile(&source) {
        Ok(_) => panic!("{source} should not compile"),
        Err(CelError::Compile(m)) => m,
        Err(other) => panic!("{source}: expected a compile error, got {other:?}"),
    }
}

fn run(
    p: &CelProgram,
    object: &Value,
    old: &Value,
    params: &Value,
    request: &Value,
) -> Result<Vec<CelViolation>, CelError> {
    p.evaluate(&CelInput {
        object,
        old_object: old,
        params,
        request,
        namespace_object: &Value::Null,
    })
}

fn messages(r: Result<Vec<CelViolation>, CelError>) -> Vec<String> {
    match r {
        Ok(v) => v.into_iter().map(|v| v.message).collect(),
        Err(e) => panic!("expected violations, got the error {e:?}"),
    }
}

fn one(expression: &str, message: &str) -> Value {
    json!({"validations": [{"expression": expression, "message": message}]})
}

#[test]
fn object_is_bound() {
    let p = compile(one("object.metadata.name.startsWith('ok-')", "bad name"));
    let none = Value::Null;
    let good = pod("ok-1", json!([]));
    let bad = pod("nope", json!([]));
    assert!(messages(run(&p, &good, &none, &none, &create())).is_empty());
    assert_eq!(
        messages(run(&p, &bad, &none, &none, &create())),
        ["bad name"]
    );
}

#[test]
fn any_object_is_the_old_object_on_delete_and_object_is_null() {
    let p = compile(json!({"validations": [
        {"expression": "variables.anyObject.metadata.name != 'old'", "message": "anyObject is oldObject"},
        {"expression": "object != null", "message": "object is null"},
        {"expression": "oldObject.metadata.name != 'old'", "message": "oldObject bound"},
    ]}));
    let delete = json!({"operation": "DELETE"});
    // Even when a caller passes the object on DELETE, Gatekeeper unsets it.
    let new = pod("new", json!([]));
    let old = pod("old", json!([]));
    assert_eq!(
        messages(run(&p, &new, &old, &Value::Null, &delete)),
        [
            "anyObject is oldObject",
            "object is null",
            "oldObject bound"
        ]
    );
    // On UPDATE anyObject is the new object.
    let update = json!({"operation": "UPDATE"});
    assert_eq!(
        messages(run(&p, &new, &old, &Value::Null, &update)),
        ["oldObject bound"]
    );
}

#[test]
fn request_is_bound() {
    let p = compile(one(
        "request.operation == 'UPDATE' || request.userInfo.username != 'mallory'",
        "mallory may not create",
    ));
    let obj = pod("a", json!([]));
    let req = json!({"operation": "CREATE", "userInfo": {"username": "mallory"}});
    assert_eq!(
        messages(run(&p, &obj, &Value::Null, &Value::Null, &req)),
        ["mallory may not create"]
    );
}

#[test]
fn params_are_variables_params_or_null() {
    let p = compile(json!({"validations": [{
        "expression": "variables.params == null || size(object.spec.containers) <= variables.params.max",
        "messageExpression": "'at most ' + string(variables.params.max) + ' containers'",
    }]}));
    let obj = pod("a", json!([{"name": "a"}, {"name": "b"}]));
    let none = Value::Null;
    assert_eq!(
        messages(run(&p, &obj, &none, &json!({"max": 1}), &create())),
        ["at most 1 containers"]
    );
    assert!(messages(run(&p, &obj, &none, &json!({"max": 2}), &create())).is_empty());
    assert!(messages(run(&p, &obj, &none, &none, &create())).is_empty());
}

#[test]
fn namespace_object_is_bound() {
    let p = compile(one(
        "namespaceObject == null || !has(namespaceObject.metadata.labels) || !('locked' in namespaceObject.metadata.labels)",
        "namespace is locked",
    ));
    let obj = pod("a", json!([]));
    let ns =
        json!({"kind": "Namespace", "metadata": {"name": "default", "labels": {"locked": "yes"}}});
    let r = p.evaluate(&CelInput {
        object: &obj,
        old_object: &Value::Null,
        params: &Value::Null,
        request: &create(),
        namespace_object: &ns,
    });
    assert_eq!(messages(r), ["namespace is locked"]);
}

#[test]
fn variables_see_earlier_ones_and_are_lazy() {
    let p = compile(json!({
        "variables": [
            {"name": "broken", "expression": "object.spec.nothing.here"},
            {"name": "images", "expression": "object.spec.containers.map(c, c.image)"},
            {"name": "untrusted", "expression": "variables.images.filter(i, !i.startsWith('registry.example/'))"},
        ],
        "validations": [{
            "expression": "size(variables.untrusted) == 0",
            "messageExpression": "'untrusted images: ' + variables.untrusted.join(', ')",
        }],
    }));
    let obj = pod(
        "a",
        json!([{"name": "a", "image": "registry.example/a"}, {"name": "b", "image": "evil/b"}]),
    );
    // `broken` is never used, so its error never happens.
    assert_eq!(
        messages(run(&p, &obj, &Value::Null, &Value::Null, &create())),
        ["untrusted images: evil/b"]
    );
}

#[test]
fn a_failing_variable_is_named_when_used() {
    let p = compile(json!({
        "variables": [{"name": "broken", "expression": "object.spec.nothing.here"}],
        "validations": [{"expression": "variables.broken == 1"}],
    }));
    let obj = pod("a", json!([]));
    match run(&p, &obj, &Value::Null, &Value::Null, &create()) {
        Err(CelError::Eval(m)) => {
            assert!(m.contains("variables[0] (broken)"), "{m}");
            assert!(m.contains("nothing"), "{m}");
        }
        other => panic!("expected an evaluation error, got {other:?}"),
    }
}

#[test]
fn a_variable_is_computed_once_per_evaluation() {
    // `big` costs about 2,000 units (the range, then its result); used three times it would cost
    // 6,000 if it were computed each time. 4,000 units pass only when it is computed once.
    let p = compile(json!({
        "variables": [{"name": "big", "expression": "lists.range(1000)"}],
        "validations": [{"expression": "size(variables.big) + size(variables.big) + size(variables.big) == 3000"}],
    }))
    .with_limits(CelLimits {
        cost: 4_000,
        time: Duration::from_secs(60),
    });
    let obj = pod("a", json!([]));
    assert!(messages(run(&p, &obj, &Value::Null, &Value::Null, &create())).is_empty());
}

#[test]
fn a_variable_may_not_use_a_later_one() {
    let m = compile_error(json!({
        "variables": [
            {"name": "first", "expression": "variables.second + 1"},
            {"name": "second", "expression": "1"},
        ],
        "validations": [{"expression": "variables.first == 2"}],
    }));
    assert!(m.contains("variables[0] (first)"), "{m}");
    assert!(m.contains("variables.second is not defined"), "{m}");
}

#[test]
fn message_expression_wins_when_it_gives_one_line() {
    let obj = pod("a", json!([]));
    let none = Value::Null;
    let with = |message_expression: &str| {
        compile(json!({"validations": [{
            "expression": "false",
            "message": "  static message  ",
            "messageExpression": message_expression,
        }]}))
    };
    let msg = |p: &CelProgram| messages(run(p, &obj, &none, &none, &create()));
    assert_eq!(
        msg(&with("'  dynamic ' + object.metadata.name + ' '")),
        ["dynamic a"]
    );
    // Errors, non-strings, empty strings and line breaks fall back to `message` (trimmed).
    assert_eq!(msg(&with("object.nothing")), ["static message"]);
    assert_eq!(msg(&with("42")), ["static message"]);
    assert_eq!(msg(&with("'   '")), ["static message"]);
    assert_eq!(msg(&with("'two\\nlines'")), ["static message"]);
    // Without any message, the expression is the message.
    let bare = compile(json!({"validations": [{"expression": " 1 == 2 "}]}));
    assert_eq!(msg(&bare), ["failed expression: 1 == 2"]);
}

#[test]
fn match_conditions_gate_the_validations() {
    let obj = pod("a", json!([]));
    let none = Value::Null;
    let with = |conditions: Value| {
        compile(json!({
            "matchConditions": conditions,
            "validations": [{"expression": "false", "message": "denied"}],
        }))
    };
    let named = |e: &str| json!({"name": "c", "expression": e});
    let run_with = |p: &CelProgram| run(p, &obj, &none, &none, &create());

    assert_eq!(
        messages(run_with(&with(json!([named("true")])))),
        ["denied"]
    );
    assert!(
        messages(run_with(&with(json!([named(
            "object.metadata.name == 'b'"
        )]))))
        .is_empty()
    );
    // A false condition wins over a failing one.
    let mixed = with(json!([named("object.nothing == 1"), named("false")]));
    assert!(messages(run_with(&mixed)).is_empty());
    // A failing condition alone is an error, naming the condition.
    match run_with(&with(json!([named("object.nothing == 1")]))) {
        Err(CelError::Eval(m)) => assert!(m.contains("matchConditions[0] (c)"), "{m}"),
        other => panic!("expected an evaluation error, got {other:?}"),
    }
    // Gatekeeper's own spelling of the field.
    let gk = compile(json!({
        "matchCondition": [named("false")],
        "validations": [{"expression": "false"}],
    }));
    assert!(messages(run_with(&gk)).is_empty());
    // Conditions see the template's variables.
    let vars = compile(json!({
        "variables": [{"name": "n", "expression": "object.metadata.name"}],
        "matchConditions": [named("variables.n == 'a'")],
        "validations": [{"expression": "false", "message": "denied"}],
    }));
    assert_eq!(messages(run_with(&vars)), ["denied"]);
}

#[test]
fn runtime_errors_are_eval_errors() {
    let obj = pod("a", json!([]));
    let none = Value::Null;
    for (expression, needle) in [
        ("object.spec.missing == 1", "missing"),
        (
            "object.metadata.name + 1 == 'a'",
            "validations[0].expression",
        ),
        ("1 / (size(object.spec.containers)) == 1", "ivision"),
        ("object.metadata.name", "not a boolean"),
        ("object.metadata.name.substring(5) == ''", "substring"),
        ("'abc'.matches('(') ", "validations[0]"),
        (
            "9223372036854775807 + size(object.spec.containers) + 1 > 0",
            "verflow",
        ),
    ] {
        let p = compile(one(expression, "m"));
        match run(&p, &obj, &none, &none, &create()) {
            Err(CelError::Eval(m)) => assert!(m.contains(needle), "{expression}: {m}"),
            other => panic!("{expression}: expected an evaluation error, got {other:?}"),
        }
    }
}

#[test]
fn a_null_field_is_absent_and_selecting_a_scalar_is_an_error() {
    let none = Value::Null;
    // `securityContext: null` is stored by the API server as no securityContext.
    let obj = pod("a", json!([{"name": "c", "securityContext": null}]));
    let p = compile(one(
        "object.spec.containers.all(c, !has(c.securityContext) || c.securityContext.privileged != true)",
        "privileged",
    ));
    assert!(messages(run(&p, &obj, &none, &none, &create())).is_empty());
    // A string where a map is expected is not a silent `false`.
    let odd = pod("a", json!([{"name": "c", "securityContext": "privileged"}]));
    let q = compile(one(
        "object.spec.containers.all(c, c.securityContext.privileged != true)",
        "privileged",
    ));
    assert!(matches!(
        run(&q, &odd, &none, &none, &create()),
        Err(CelError::Eval(_))
    ));
}

#[test]
fn compile_errors_name_the_expression() {
    let m = compile_error(one("object.metadata.name ==", "m"));
    assert!(m.contains("validations[0].expression"), "{m}");
    assert!(m.contains("object.metadata.name =="), "{m}");

    for (source, needle) in [
        (one("nosuch(object)", "m"), "nosuch() is not supported"),
        (
            one("params.spec.parameters.x == 1", "m"),
            "variables.params",
        ),
        (
            one("authorizer.requestResource.check('get').allowed()", "m"),
            "authorizer",
        ),
        (one("variables == null", "m"), "variables.<name>"),
        (
            one("undefinedName == 1", "m"),
            "\"undefinedName\" is not defined",
        ),
        (one("Foo{a: 1} == null", "m"), "message literals"),
        (
            one("variables.nothing == 1", "m"),
            "variables.nothing is not defined",
        ),
        // The `cel` crate's optional field selection is unreliable: refused rather than wrong.
        (
            one("object.?spec.?nodeName.orValue('') == ''", "m"),
            "validations[0].expression",
        ),
        (
            json!({"validations": "x"}),
            "source.validations must be a list",
        ),
        (
            json!({"validations": [{"expression": 1}]}),
            "validations[0].expression must be a string",
        ),
        (
            json!({"validations": [{"expression": ""}]}),
            "validations[0].expression is empty",
        ),
        (
            json!({"validations": [{"expression": "true", "extra": 1}]}),
            "unknown field \"extra\"",
        ),
        (json!({"validation": []}), "unknown field \"validation\""),
        (
            json!({"variables": [{"name": "params", "expression": "1"}]}),
            "reserved",
        ),
        (
            json!({"variables": [{"name": "a-b", "expression": "1"}]}),
            "not a CEL identifier",
        ),
        (json!({"failurePolicy": "Sometimes"}), "failurePolicy"),
        (json!({"matchCondition": [], "matchConditions": []}), "both"),
        (json!([1]), "must be an object"),
    ] {
        let m = compile_error(source.clone());
        assert!(m.contains(needle), "{source}: {m}");
    }
}

#[test]
fn failure_policy_is_read() {
    let ignore = compile(json!({"failurePolicy": "Ignore", "validations": []}));
    assert_eq!(ignore.failure_policy(), FailurePolicy::Ignore);
    assert_eq!(compile(json!({})).failure_policy(), FailurePolicy::Fail);
}

fn budget_hit(expression: &str, object: &Value) {
    let p = compile(one(expression, "m"));
    match run(&p, object, &Value::Null, &Value::Null, &create()) {
        Err(CelError::Budget) => {}
        other => panic!("{expression}: expected the budget to run out, got {other:?}"),
    }
}

#[test]
fn comprehensions_that_explode_hit_the_budget() {
    let items: Vec<Value> = (0..200).map(|i| json!(i)).collect();
    let obj = json!({"kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"items": items}});
    // 200³ = 8,000,000 iterations.
    budget_hit(
        "object.data.items.all(a, object.data.items.all(b, object.data.items.all(c, a + b + c >= 0)))",
        &obj,
    );
    // The result of lists.range is paid for before it is built.
    budget_hit("size(lists.range(100000000)) > 0", &obj);
    // A long separator times a long list.
    budget_hit(
        "lists.range(50000).map(i, 'x').join('0123456789012345678901234567890123456789') != ''",
        &obj,
    );
}

#[test]
fn strings_that_double_hit_the_budget() {
    let mut variables = vec![json!({"name": "v0", "expression": "'0123456789abcdef'"})];
    for i in 1..40 {
        variables.push(json!({
            "name": format!("v{i}"),
            "expression": format!("variables.v{0} + variables.v{0}", i - 1),
        }));
    }
    let p = compile(json!({
        "variables": variables,
        "validations": [{"expression": "size(variables.v39) > 0"}],
    }));
    let obj = pod("a", json!([]));
    assert!(matches!(
        run(&p, &obj, &Value::Null, &Value::Null, &create()),
        Err(CelError::Budget)
    ));
    // `replace` growing a string is paid for before it is built.
    budget_hit(
        "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'.replace('a', lists.range(20000).map(i, 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb').join('')) != ''",
        &obj,
    );
}

#[test]
fn a_budget_failure_is_not_absorbed_by_or() {
    let obj = pod("a", json!([]));
    // CEL makes `error || true` true; the budget still decides.
    budget_hit("size(lists.range(100000000)) > 0 || true", &obj);
}

#[test]
fn the_time_backstop_ends_an_evaluation() {
    let p = compile(one("lists.range(1000).all(i, i >= 0)", "m")).with_limits(CelLimits {
        cost: u64::MAX,
        time: Duration::ZERO,
    });
    let obj = pod("a", json!([]));
    assert!(matches!(
        run(&p, &obj, &Value::Null, &Value::Null, &create()),
        Err(CelError::Budget)
    ));
}

#[test]
fn the_budget_is_per_evaluation() {
    // About 750,000 units each: the range (paid before and after it is built) and its
    // iterations.
    let p = compile(one("lists.range(250000).all(i, i >= 0)", "m"));
    let obj = pod("a", json!([]));
    // Each evaluation alone fits; together they would not.
    for _ in 0..3 {
        assert!(messages(run(&p, &obj, &Value::Null, &Value::Null, &create())).is_empty());
    }
}

/// Evaluates hostile sources and inputs; each must end in a result or an error, never a panic.
fn no_panic(what: &str, f: impl FnOnce()) {
    assert!(catch_unwind(AssertUnwindSafe(f)).is_ok(), "{what} panicked");
}

#[test]
fn hostile_expressions_are_refused_without_panicking() {
    let long = 32 * 1024;
    let cases: Vec<String> = vec![
        format!("{}true{}", "(".repeat(15_000), ")".repeat(15_000)),
        format!("1{}", " + 1".repeat(7_000)),
        format!("object{}", ".a".repeat(15_000)),
        format!("{}1{}", "[".repeat(15_000), "]".repeat(15_000)),
        format!("f({}1{})", "g(".repeat(10_000), ")".repeat(10_000)),
        "x".repeat(long + 1),
        format!("true {}", "? true : true ".repeat(2_000)),
        format!("1 {}", "== 1 ".repeat(6_000)),
        format!("'a'{}", ".size()".repeat(4_000)),
        format!("{}1", "-!".repeat(16_000)),
        format!("object{}", "[0]".repeat(10_900)),
        format!("object{}", ".a()".repeat(8_000)),
        format!("{}true", "!(".repeat(16_000)),
        format!("{}true", "!".repeat(30_000)),
        format!("{}1", "-".repeat(30_000)),
        format!("[1{}]", ", 1".repeat(10_000)),
        format!("{{1: 1{}}}", ", 1: 1".repeat(5_000)),
        format!("true{}", " && true".repeat(3_500)),
        format!("[{}]", "[], ".repeat(8_000)),
        r#"'(((((((((((' + "[[[[[[[[[[[[[" + '{{{{{{{{\' + "\"" == ''"#.into(),
        "a.b.c(".into(),
        "'unterminated".into(),
        "\u{0}\u{1}".into(),
        "{1: 2}.?a".into(),
        "[1, 2].all(x, x, x)".into(),
        "has(1)".into(),
        "google.protobuf.Struct{}".into(),
    ];
    for text in &cases {
        let shown: String = text.chars().take(30).collect();
        no_panic(&shown, || {
            let _ = CelProgram::compile(&one(text, "m"));
        });
    }
    // The ones that must not compile.
    for text in &cases[..13] {
        let shown: String = text.chars().take(30).collect();
        assert!(
            CelProgram::compile(&one(text, "m")).is_err(),
            "{shown}… should be refused"
        );
    }
}

#[test]
fn hostile_evaluations_end_in_errors_without_panicking() {
    let obj = pod("é", json!([{"name": "c", "image": "ünïcode"}]));
    let cases = [
        "object.metadata.name.substring(0, 2) == ''",
        "object.metadata.name.charAt(5) == ''",
        "object.metadata.name.charAt(-1) == ''",
        "'%.999999999f'.format([1.5]) != ''",
        "'%d'.format([]) != ''",
        "quantity('1e999999999999').isInteger()",
        "quantity('') == quantity('1')",
        "semver('1.2.3.4.5').major() == 1",
        "url('::::').getHost() == ''",
        "ip('999.1.1.1').family() == 4",
        "cidr('1.2.3.4/99').prefixLength() == 1",
        "'a'.matches('a{1000}{1000}{1000}')",
        "'a'.find('(') == ''",
        "[1, 2][5] == 1",
        "[1, 2][-1] == 1",
        "{'a': 1}['b'] == 1",
        "-9223372036854775807 - 2 < 0",
        "9223372036854775807 * 2 > 0",
        "(-9223372036854775807 - 1) / -1 > 0",
        "(-9223372036854775807 - 1) % -1 == 0",
        "5 % 0 == 0",
        "int('x') == 1",
        "int(1e300) == 1",
        "uint(-1) == 1u",
        "double('nan') != double('nan')",
        "string(b'\\xff') == ''",
        "base64.decode('!!!') == b''",
        "math.bitShiftLeft(1, 1000) > 0",
        "math.bitShiftLeft(1, -1) > 0",
        "lists.range(-1) == []",
        "[[1], 2].flatten() == [1, 2]",
        "[1, 'a'].sort() == []",
        "[1, 'a'].sum() == 1",
        "[].max() == 1",
        "'abc'.split('', -5) == []",
        "'abc'.replace('', '-', -1) == ''",
        "timestamp('9999-99-99') == timestamp('1970-01-01T00:00:00Z')",
        "duration('99999999999999999h') > duration('1s')",
        "optional.of(1).value() == optional.none().value()",
        "object.spec.containers[0].image.lastIndexOf('ï', 99) >= 0",
        "dyn(object).spec.containers.exists_one(c, c.image.upperAscii() == 'ÜNÏCODE')",
        "jsonpatch.escapeKey('~/') == ''",
        "format.dns1123Label().validate('A_B').hasValue()",
        "sets.contains([1], ['a'])",
        "isSorted([1, 'a'])",
        "[optional.of(1), optional.none()] == []",
        "{'a': optional.none()}.a.hasValue()",
        "[quantity('1'), ip('::1'), url('https://a'), semver('1.0.0')].size() == 4",
        "[duration('1s'), timestamp('2024-01-01T00:00:00Z')][0] > duration('0s')",
        "size([quantity('1')].map(q, q.add(quantity('1Gi')))) == 1",
        "dyn() == 1",
        "{1: 'a', 'b': 2, true: 3}[true] == 3",
        "b'abc'.size() == 3 && string(b'abc') == 'abc'",
    ];
    for text in cases {
        no_panic(text, || {
            if let Ok(p) = CelProgram::compile(&one(text, "m")) {
                let _ = run(&p, &obj, &Value::Null, &Value::Null, &create());
            }
        });
    }
}

#[test]
fn deep_input_is_an_eval_error() {
    let mut deep = json!(1);
    for _ in 0..300 {
        deep = json!({"a": deep});
    }
    let p = compile(one("has(object.a)", "m"));
    match run(&p, &deep, &Value::Null, &Value::Null, &create()) {
        Err(CelError::Eval(m)) => assert!(m.contains("nested deeper"), "{m}"),
        other => panic!("expected an evaluation error, got {other:?}"),
    }
}

#[test]
fn kubernetes_functions_work() {
    let obj = json!({
        "kind": "Pod",
        "metadata": {"name": "web-1", "annotations": {"cpu": "250m", "net": "10.0.0.0/8"}},
        "spec": {"containers": [{"name": "a", "image": "registry.example/app:1.4.2"}]},
    });
    for expression in [
        "quantity(object.metadata.annotations.cpu).isLessThan(quantity('1'))",
        "quantity('1Gi').isGreaterThan(quantity('500Mi'))",
        "semver(object.spec.containers[0].image.split(':')[1]).isGreaterThan(semver('1.4.0'))",
        "cidr(object.metadata.annotations.net).containsIP(ip('10.1.2.3'))",
        "isIP('::1') && !isIP('1.2.3')",
        "url('https://example.com:8443/x').getPort() == '8443'",
        "object.metadata.name.find('[0-9]+') == '1'",
        "object.metadata.name.findAll('[a-z]') == ['w', 'e', 'b']",
        "'%s has %d containers'.format([object.metadata.name, size(object.spec.containers)]) == 'web-1 has 1 containers'",
        "sets.contains(['a', 'b', 'c'], ['a', 'c'])",
        "[3, 1, 2].sort() == [1, 2, 3] && [1, 1, 2].distinct() == [1, 2]",
        "lists.range(3) == [0, 1, 2]",
        "'A,B'.lowerAscii().split(',') == ['a', 'b']",
        "'a*b*'.replace('*', '') == 'ab' && 'a-b-c'.replace('-', '+', 1) == 'a+b-c'",
        "['x', 'y'].join('/') == 'x/y' && [].join() == ''",
        "'  x '.trim() == 'x' && 'abc'.charAt(1) == 'b' && 'abc'.indexOf('c') == 2",
        "math.greatest([1, 5, 3]) == 5",
        "base64.encode(b'hi') == 'aGk='",
        "jsonpatch.escapeKey('a/b~c') == 'a~1b~0c'",
        "dyn(object.metadata).name == 'web-1'",
        "object.spec.containers.map(c, c.name != '', c.image).size() == 1",
        "object.spec.containers.exists_one(c, c.name == 'a')",
        "optional.none().orValue('none') == 'none'",
        "duration('1h') > duration('30m')",
    ] {
        let p = compile(one(expression, "failed"));
        let r = run(&p, &obj, &Value::Null, &Value::Null, &create());
        assert!(
            matches!(&r, Ok(v) if v.is_empty()),
            "{expression}: expected true, got {r:?}"
        );
    }
}

#[test]
fn every_documented_function_is_registered() {
    use kube_cel::cel::objects::Value as CelValue;
    use kube_cel::cel::parser::Parser;
    for name in env::known_functions() {
        // Calling with no arguments fails on arity or type, but never as an unknown name.
        let text = format!("{name}()");
        let Ok(expr) = Parser::new().parse(&text) else {
            panic!("{text} does not parse");
        };
        let outcome = env::with_base(|base| CelValue::resolve(&expr, base));
        if let Err(kube_cel::cel::ExecutionError::UndeclaredReference(r)) = &outcome {
            panic!("{name} is documented but not registered ({r})");
        }
    }
}

#[test]
fn a_program_is_shared_across_threads() {
    let p = compile(one("object.metadata.name.startsWith('ok')", "bad"));
    let results: Vec<usize> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let p = &p;
                s.spawn(move || {
                    let obj = pod(if i % 2 == 0 { "ok" } else { "no" }, json!([]));
                    messages(run(p, &obj, &Value::Null, &Value::Null, &create())).len()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(usize::MAX))
            .collect()
    });
    assert_eq!(results, [0, 1, 0, 1]);
}

#[test]
fn brackets_inside_string_literals_do_not_count_as_nesting() {
    let text = format!(
        "'{}' + \"{}\" + '{}' != ''",
        "(".repeat(200),
        "[\\\"".repeat(200),
        "{\\u0027".repeat(200)
    );
    let p = compile(one(&text, "m"));
    let obj = pod("a", json!([]));
    assert!(messages(run(&p, &obj, &Value::Null, &Value::Null, &create())).is_empty());
}

#[test]
fn variables_may_hold_any_value() {
    // Opaque and optional values pass through the scope like data.
    let p = compile(json!({
        "variables": [
            {"name": "q", "expression": "quantity('1500m')"},
            {"name": "o", "expression": "optional.of(object.metadata.name)"},
            {"name": "n", "expression": "null"},
        ],
        "validations": [{
            "expression": "variables.q.isGreaterThan(quantity('1')) && variables.o.hasValue() && variables.n == null",
            "message": "m",
        }],
    }));
    let obj = pod("a", json!([]));
    assert!(messages(run(&p, &obj, &Value::Null, &Value::Null, &create())).is_empty());
}

#[test]
fn each_validation_has_its_outcome() {
    let p = compile(json!({"validations": [
        {"expression": "false", "message": "first"},
        {"expression": "object.spec.missing == 1"},
        {"expression": "true"},
        {"expression": "false", "message": "last"},
    ]}));
    let obj = pod("a", json!([]));
    let input = CelInput {
        object: &obj,
        old_object: &Value::Null,
        params: &Value::Null,
        request: &create(),
        namespace_object: &Value::Null,
    };
    let outcomes = match p.evaluate_each(&input) {
        Ok(o) => o,
        Err(e) => panic!("expected outcomes, got {e:?}"),
    };
    assert_eq!(outcomes.len(), 3, "{outcomes:?}");
    assert!(matches!(&outcomes[0], CelOutcome::Violation(v) if v.message == "first"));
    assert!(
        matches!(&outcomes[1], CelOutcome::Failed(CelError::Eval(m)) if m.contains("validations[1].expression"))
    );
    assert!(matches!(&outcomes[2], CelOutcome::Violation(v) if v.message == "last"));
    // `evaluate` makes the failure the review's.
    assert!(matches!(p.evaluate(&input), Err(CelError::Eval(_))));
}

#[test]
fn the_deepest_accepted_expressions_evaluate_on_a_small_stack() {
    // Worker threads (rayon's included) get 2 MiB by default; the deepest trees the compiler
    // accepts must evaluate within it.
    let nested = |open: &str, leaf: &str, close: &str, n: usize| {
        format!("{}{leaf}{}", open.repeat(n), close.repeat(n))
    };
    let cases = [
        format!("{} > 0", nested("1 + (", "1", ")", 90)),
        format!("size({}) == 1", nested("[", "1", "]", 90)),
        format!("{} > 0", nested("size(string(", "1", "))", 44)),
        nested("[1].all(x, ", "true", ")", 30),
        nested("[1].map(x, ", "1", ")[0]", 30).replace("[0]", "") + " != null",
        format!(
            "{}{} == 1",
            nested("{'a': ", "1", "}", 45),
            "['a']".repeat(45)
        ),
    ];
    let outcome = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let obj = pod("a", json!([]));
            cases
                .iter()
                .map(|text| match CelProgram::compile(&one(text, "m")) {
                    Ok(p) => format!("{:?}", run(&p, &obj, &Value::Null, &Value::Null, &create())),
                    Err(e) => format!("{e}"),
                })
                .collect::<Vec<_>>()
        })
        .map(|h| h.join());
    match outcome {
        Ok(Ok(results)) => {
            for r in &results {
                assert_eq!(r, "Ok([])");
            }
        }
        _ => panic!("evaluation failed on a 2 MiB stack"),
    }
}

/// The least cost limit under which `expression` passes on a pod with two containers.
fn least_cost(expression: &str) -> u64 {
    let obj = pod(
        "a",
        json!([{"name": "a", "image": "registry.example/a:1"}, {"name": "b", "image": "b"}]),
    );
    let passes = |cost: u64| {
        let p = compile(one(expression, "m")).with_limits(CelLimits {
            cost,
            time: Duration::from_secs(60),
        });
        matches!(run(&p, &obj, &Value::Null, &Value::Null, &create()), Ok(v) if v.is_empty())
    };
    let (mut lo, mut hi) = (1u64, 100_000u64);
    assert!(passes(hi), "{expression} should pass");
    while lo < hi {
        let mid = (lo + hi) / 2;
        if passes(mid) { hi = mid } else { lo = mid + 1 }
    }
    lo
}

#[test]
fn sums_paid_from_their_operands_cost_what_metered_sums_cost() {
    // Plain operands are paid for before the sum (`__kw_add`); `dyn(…)` is a call, so the same
    // sums with it are metered after each `+` (`__kw_out`). Both must charge the same units.
    for (plain, metered) in [
        (
            "size(object.spec.containers + object.spec.containers) == 4",
            "size(dyn(object.spec.containers) + dyn(object.spec.containers)) == 4",
        ),
        (
            "size(object.spec.containers + [object.metadata] + object.spec.containers) == 5",
            "size(dyn(object.spec.containers) + dyn([object.metadata]) + dyn(object.spec.containers)) == 5",
        ),
        (
            "size(object.metadata.name + 'a long enough string to count' + object.metadata.namespace) > 0",
            "size(dyn(object.metadata.name) + dyn('a long enough string to count') + dyn(object.metadata.namespace)) > 0",
        ),
        ("1 + 2 == 3", "dyn(1) + dyn(2) == 3"),
    ] {
        assert_eq!(least_cost(plain), least_cost(metered), "{plain}");
    }
}
