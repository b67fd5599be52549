//! Text that several checks' `bad` and `good` examples share, written once. Each macro expands to
//! a string literal, so an example stays a `concat!` of literals (a `&'static str` in the check's
//! `META`), the same text as if it were written out in every file.

/// The start of a seccomp profile that refuses by default (x86-64), up to its first syscall rule.
macro_rules! seccomp_errno_head {
    () => {
        "\
{
  \"defaultAction\": \"SCMP_ACT_ERRNO\",
  \"architectures\": [\"SCMP_ARCH_X86_64\"],
  \"syscalls\": [
"
    };
}
pub(crate) use seccomp_errno_head;

/// The start of a seccomp profile that allows by default (x86-64), up to its first syscall rule.
macro_rules! seccomp_allow_head {
    () => {
        "\
{
  \"defaultAction\": \"SCMP_ACT_ALLOW\",
  \"architectures\": [\"SCMP_ARCH_X86_64\"],
  \"syscalls\": [
"
    };
}
pub(crate) use seccomp_allow_head;

/// A rule that allows a minimal process its few syscalls (no line end: a `,` may follow).
macro_rules! seccomp_basic_allow {
    () => {
        "    {\"names\": [\"read\", \"write\", \"openat\", \"close\", \"exit_group\"], \"action\": \"SCMP_ACT_ALLOW\"}"
    };
}
pub(crate) use seccomp_basic_allow;

/// A whole minimal seccomp profile: refuse by default, allow a few syscalls.
macro_rules! seccomp_minimal {
    () => {
        concat!(
            $crate::examples::seccomp_errno_head!(),
            $crate::examples::seccomp_basic_allow!(),
            "
  ]
}"
        )
    };
}
pub(crate) use seccomp_minimal;

/// The ABI and tunables lines every AppArmor example starts with.
macro_rules! apparmor_preamble {
    () => {
        "\
abi <abi/3.0>,
#include <tunables/global>

"
    };
}
pub(crate) use apparmor_preamble;

/// The preamble and the opening of the `k8s-web` profile in enforce mode, with the base abstractions.
macro_rules! apparmor_web_start {
    () => {
        concat!(
            $crate::examples::apparmor_preamble!(),
            "\
profile k8s-web flags=(attach_disconnected,mediate_deleted) {
  #include <abstractions/base>

"
        )
    };
}
pub(crate) use apparmor_web_start;

/// The deny rules a container profile carries for the kernel interfaces (/proc/sys, sysrq, kcore, securityfs, firmware).
macro_rules! apparmor_container_denies {
    () => {
        "  deny @{PROC}/sys/** w,
  deny @{PROC}/sysrq-trigger rwklx,
  deny @{PROC}/kcore rwklx,
  deny /sys/kernel/security/** rwklx,
  deny /sys/firmware/** rwklx,
"
    };
}
pub(crate) use apparmor_container_denies;

/// The `k8s-web` profile's rules: files, TCP, and the container denies.
macro_rules! apparmor_web_rules {
    () => {
        concat!(
            "  file,
  network inet tcp,
",
            $crate::examples::apparmor_container_denies!()
        )
    };
}
pub(crate) use apparmor_web_rules;

/// The whole `k8s-web` profile as the examples fix it.
macro_rules! apparmor_web_profile {
    () => {
        concat!(
            $crate::examples::apparmor_web_start!(),
            $crate::examples::apparmor_web_rules!(),
            "}\n"
        )
    };
}
pub(crate) use apparmor_web_profile;

#[cfg(test)]
mod tests {
    /// The shared pieces put together read as the profile written out.
    #[test]
    fn the_web_profile_reads_as_written_out() {
        assert_eq!(
            apparmor_web_profile!(),
            "abi <abi/3.0>,
#include <tunables/global>

profile k8s-web flags=(attach_disconnected,mediate_deleted) {
  #include <abstractions/base>

  file,
  network inet tcp,
  deny @{PROC}/sys/** w,
  deny @{PROC}/sysrq-trigger rwklx,
  deny @{PROC}/kcore rwklx,
  deny /sys/kernel/security/** rwklx,
  deny /sys/firmware/** rwklx,
}
"
        );
        assert_eq!(
            seccomp_minimal!(),
            "{
  \"defaultAction\": \"SCMP_ACT_ERRNO\",
  \"architectures\": [\"SCMP_ARCH_X86_64\"],
  \"syscalls\": [
    {\"names\": [\"read\", \"write\", \"openat\", \"close\", \"exit_group\"], \"action\": \"SCMP_ACT_ALLOW\"}
  ]
}"
        );
    }
}
