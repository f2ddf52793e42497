//! `--threads`: a whole number from 1 to the cores this process may use (more threads than cores only
//! slow the row kernels down, and a huge count exhausts the machine before any work starts).

/// The cores available to this process (its CPU affinity and cgroup quota included).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// clap's value parser for `--threads`.
pub fn parse(s: &str) -> Result<usize, String> {
    parse_bounded(s, cores())
}

fn parse_bounded(s: &str, cores: usize) -> Result<usize, String> {
    let range = if cores == 1 {
        "1 (this machine has 1 core)".to_string()
    } else {
        format!("a whole number from 1 to {cores}, the cores available")
    };
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=cores).contains(&n) => Ok(n),
        _ => Err(format!("expected {range}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_by_the_cores() {
        assert_eq!(parse_bounded("2", 4), Ok(2));
        assert_eq!(parse_bounded("4", 4), Ok(4));
        assert_eq!(
            parse_bounded("5", 4).unwrap_err(),
            "expected a whole number from 1 to 4, the cores available"
        );
        assert!(parse_bounded("0", 4).is_err());
        assert!(parse_bounded("-3", 4).is_err());
        assert!(parse_bounded("100000", 1).unwrap_err().contains("1 core"));
    }
}
