#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kubeward_fuzz::audit_scan(data));
