//! The runner's probe guest (`tests/guests/probe`, on raw `wasi:webgpu`
//! bindings rather than the SDK, so it checks the runner alone). In a test
//! binary of its own: `runner.rs` leaves GPU work running on purpose, which
//! later GPU runs in that process wait for.

mod common;

use std::time::Duration;

use wasi_webgpu_host::{GuestStatus, RunOptions, TRAP_EXIT_CODE};

/// Builds and runs the probe guest: stdout/stderr separation, argv, env, the
/// GPU round trip (including `on-submitted-work-done`, which needs the host fix), guest `Err`, guest panic, host panic, timeout.
#[test]
fn probe_guest_end_to_end() {
    let wasm = common::probe();
    let runner = common::runner();
    let has_gpu = runner.adapter_info().is_ok();

    let outcome = runner
        .run(
            &wasm,
            &RunOptions::captured().args(["gpu", "two words"]).env("PROBE_ENV", "yes").timeout(Duration::from_secs(60)),
        )
        .unwrap();
    let stdout = outcome.stdout_lossy();
    let stderr = outcome.stderr_lossy();
    assert!(
        stdout.starts_with("args: [\"probe_guest\", \"gpu\", \"two words\"]\nenv: [(\"PROBE_ENV\", \"yes\")]\n"),
        "{stdout}"
    );
    assert_eq!(stderr, "probe: stderr line\n");
    if has_gpu {
        assert_eq!(outcome.status, GuestStatus::Ok, "stdout: {stdout}\nstderr: {stderr}");
        assert!(stdout.contains("work done\n"), "{stdout}");
        assert!(stdout.ends_with("readback ok\n"), "{stdout}");
    } else {
        assert_eq!(outcome.status, GuestStatus::Err);
        assert!(stdout.ends_with("no adapter\n"), "{stdout}");
    }

    let err = runner.run(&wasm, &RunOptions::captured().arg("err")).unwrap();
    assert_eq!((err.status, err.exit_code), (GuestStatus::Err, 1));

    let panic = runner.run(&wasm, &RunOptions::captured().arg("panic")).unwrap();
    assert_eq!(panic.exit_code, TRAP_EXIT_CODE);
    let stderr = panic.stderr_lossy();
    assert!(stderr.contains("probe panicked on purpose"), "{stderr}");
    assert!(
        stderr.ends_with("wasi-webgpu-run: guest trapped: wasm trap: wasm `unreachable` instruction executed\n"),
        "{stderr}"
    );

    let hang = runner.run(&wasm, &RunOptions::captured().arg("hang").timeout(Duration::from_millis(300))).unwrap();
    assert_eq!(hang.status, GuestStatus::TimedOut(Duration::from_millis(300)));
    assert_eq!(hang.exit_code, 124);

    if has_gpu {
        let host_panic = runner.run(&wasm, &RunOptions::captured().arg("host-panic")).unwrap();
        assert!(
            matches!(&host_panic.status, GuestStatus::HostPanicked(m) if m.contains("not yet implemented")),
            "{:?}",
            host_panic.status
        );
        // The runner stays usable after a host panic.
        let again = runner.run(&wasm, &RunOptions::captured().arg("gpu")).unwrap();
        assert_eq!(again.status, GuestStatus::Ok, "{}", again.stdout_lossy());
    }
}
