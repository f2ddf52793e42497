//! The `sorn` command. See `sorn --help` and the README.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
