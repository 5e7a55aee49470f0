//! Runs the `matmul` and `reduce-scan` examples with small sizes. Each
//! example checks its results against its own CPU reference and fails
//! (exit code 1, an `Error:` line) on a mismatch; these tests assert that
//! every requested size was checked and reported, and that the reported
//! rates are positive numbers. One run of `reduce-scan` past 128 MiB
//! checks that large uploads never trap.

mod common;

#[test]
fn matmul_checks_each_size_and_reports_gflops() {
    // A 1x1 product, one smaller than a tile, one not a multiple of it, a
    // non-square one, and one above the fully checked size (sampled check).
    let outcome = common::run("examples/matmul", &["1", "7", "65", "33x100x17", "300x260x9", "--runs", "2"]);
    let transcript = common::transcript(&outcome);
    assert_eq!(outcome.exit_code, 0, "{transcript}");
    let stdout = outcome.stdout_lossy();
    let sizes = [
        ("1x1x1", 1, 1),
        ("7x7x7", 49, 49),
        ("65x65x65", 4225, 4225),
        ("33x100x17", 3300, 3300),
        ("300x260x9", 4096, 78000),
    ];
    for (shape, checked, entries) in sizes {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&format!("matmul {shape}:")))
            .unwrap_or_else(|| panic!("no line for {shape}\n{transcript}"));
        assert!(common::number_after(line, ":") > 0.0, "{line}");
        assert!(common::number_after(line, "runs:") > 0.0, "{line}");
        assert!(line.contains("median of 2 runs"), "{line}");
        assert!(line.ends_with(&format!("checked {checked} of {entries} entries: ok")), "{line}");
    }
    assert!(stdout.contains("matmul: all results match the CPU"), "{transcript}");
}

#[test]
fn reduce_scan_checks_each_length_and_reports_bandwidth() {
    // One element, exactly one 8192-element scan block, and several blocks.
    let outcome = common::run("examples/reduce-scan", &["1", "8192", "70001", "--runs", "2"]);
    let transcript = common::transcript(&outcome);
    assert_eq!(outcome.exit_code, 0, "{transcript}");
    let stdout = outcome.stdout_lossy();
    for len in [1, 8192, 70001] {
        for op in ["sum", "max", "inclusive scan", "exclusive scan"] {
            let prefix = format!("{op} n={len}:");
            let line = stdout
                .lines()
                .find(|l| l.starts_with(&prefix))
                .unwrap_or_else(|| panic!("no line for {prefix}\n{transcript}"));
            assert!(common::number_after(line, &prefix) > 0.0, "{line}");
            assert!(line.ends_with("checked: ok"), "{line}");
        }
    }
    assert!(stdout.contains("reduce-scan: all results match the CPU"), "{transcript}");
}

#[test]
fn examples_reject_bad_sizes() {
    for (example, arg) in [("examples/matmul", "12xq"), ("examples/reduce-scan", "-5")] {
        let outcome = common::run(example, &[arg]);
        let transcript = common::transcript(&outcome);
        assert_eq!(outcome.exit_code, 1, "{transcript}");
        assert!(outcome.stderr_lossy().contains(&format!("`{arg}`")), "{transcript}");
    }
}

#[test]
fn reduce_scan_past_128_mib_checks_out() {
    // 64 Mi elements: 256 MiB buffers, past the 128 MiB that one host call
    // may carry (so an upload in one call would trap) and past lavapipe's
    // 128 MiB maxStorageBufferBindingSize (so the operations bind them in
    // pieces). Every result must match the CPU.
    let outcome = common::run("examples/reduce-scan", &["67108864", "--runs", "1"]);
    let transcript = common::transcript(&outcome);
    assert_eq!(outcome.exit_code, 0, "{transcript}");
    let stdout = outcome.stdout_lossy();
    for op in ["sum", "max", "inclusive scan", "exclusive scan"] {
        assert!(stdout.contains(&format!("{op} n=67108864: ")), "{transcript}");
    }
    assert_eq!(stdout.matches("checked: ok").count(), 4, "{transcript}");
    assert!(stdout.contains("reduce-scan: all results match the CPU"), "{transcript}");
}
