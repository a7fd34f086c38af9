//! The `litsearch` binary: parse arguments, run the command, map the outcome to an exit status.

use std::process::ExitCode;

use clap::Parser;
use litsearch::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match litsearch::commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("litsearch: {}", one_line(&e.to_string()));
            for line in e.detail_lines() {
                eprintln!("  {}", litsearch::output::sanitize::for_terminal(line));
            }
            ExitCode::from(e.exit_code())
        }
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
