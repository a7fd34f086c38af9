//! The `litsearch` binary: parse arguments, run the command, map the outcome to an exit status.

use std::process::ExitCode;
use std::sync::Mutex;

use litsearch::cli::Cli;
use litsearch::error::exit;

/// The message of a panic, kept by the hook so the user sees one line, not a backtrace.
static PANIC_MESSAGE: Mutex<Option<String>> = Mutex::new(None);

fn main() -> ExitCode {
    let cli = Cli::parse_line();
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".to_owned());
        if let Ok(mut slot) = PANIC_MESSAGE.lock() {
            *slot = Some(message);
        }
    }));
    match std::panic::catch_unwind(|| litsearch::commands::run(cli)) {
        Ok(Ok(code)) => ExitCode::from(code),
        Ok(Err(e)) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!(
                "litsearch: {}",
                litsearch::text::squash_spaces(&e.to_string())
            );
            for line in e.detail_lines() {
                eprintln!("  {}", litsearch::output::sanitize::for_terminal(line));
            }
            ExitCode::from(e.exit_code())
        }
        Err(_) => {
            // Panics come from damaged index files (tantivy asserts on them) or from bugs.
            let cause = PANIC_MESSAGE
                .lock()
                .ok()
                .and_then(|mut m| m.take())
                .unwrap_or_default();
            eprintln!(
                "litsearch: internal error ({}); if the index is damaged, run `litsearch ingest --rebuild`",
                litsearch::text::squash_spaces(&cause)
            );
            ExitCode::from(exit::ERROR)
        }
    }
}
