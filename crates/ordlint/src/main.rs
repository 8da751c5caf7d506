//! The `ordlint` binary: a thin clap front over `ordlint_core` and `ordlint_render`.
//! Exit status: 0 no diagnostics, 1 diagnostics found, 2 usage or configuration error.

mod check;
mod ci;
mod cli;
mod fix_cmd;
mod progress_bar;
mod rule_cmd;
mod settings;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Check(args) => check::run(&args),
        cli::Command::Rule(args) => rule_cmd::run(&args),
        cli::Command::Lsp => Ok(match ordlint_lsp::run_stdio() {
            ordlint_lsp::Exit::Clean => ExitCode::SUCCESS,
            ordlint_lsp::Exit::WithoutShutdown => ExitCode::FAILURE,
        }),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("ordlint: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
