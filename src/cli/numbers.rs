//! Value parsers of the numeric flags, with messages in words: `--steps` is a whole number ≥ 1, and
//! `--threads` one from 1 to the cores this process may use (more threads than cores only slow the row
//! kernels down, and a huge count exhausts the machine before any work starts).

/// clap's value parser for `--steps`.
pub fn steps(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("expected a whole number of steps, at least 1".into()),
    }
}

/// The cores available to this process (its CPU affinity and cgroup quota included).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// clap's value parser for `--threads`.
pub fn threads(s: &str) -> Result<usize, String> {
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
        assert_eq!(steps("10"), Ok(10));
        for bad in ["0", "-1", "1.5", "ten"] {
            assert!(steps(bad).is_err(), "{bad}");
        }
    }
}
