//! Long time series: thinning for drawing (min/max envelope per bucket keeps spikes visible).

/// (x, y) points of `values` at x = i·`every`, reduced to at most about `2·buckets` points by keeping the
/// minimum and maximum of every bucket in time order.
pub(crate) fn envelope(values: &[f64], every: f64, buckets: usize) -> Vec<(f64, f64)> {
    let n = values.len();
    if n <= 2 * buckets.max(1) {
        return values.iter().enumerate().map(|(i, &v)| (i as f64 * every, v)).collect();
    }
    let per = n.div_ceil(buckets);
    let mut out = Vec::with_capacity(2 * buckets + 2);
    for start in (0..n).step_by(per) {
        let end = (start + per).min(n);
        let (mut imin, mut imax) = (start, start);
        for i in start..end {
            if values[i] < values[imin] {
                imin = i;
            }
            if values[i] > values[imax] {
                imax = i;
            }
        }
        let (a, b) = if imin <= imax { (imin, imax) } else { (imax, imin) };
        out.push((a as f64 * every, values[a]));
        if b != a {
            out.push((b as f64 * every, values[b]));
        }
    }
    out
}
