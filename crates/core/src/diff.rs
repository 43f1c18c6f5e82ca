//! A line diff between two agreement versions (longest common subsequence),
//! so a reader sees exactly which lines a new version changed.

/// One line of a diff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line<'a> {
    /// In both versions.
    Same(&'a str),
    /// Only in the old version.
    Removed(&'a str),
    /// Only in the new version.
    Added(&'a str),
}

/// Above this many lines on either side the diff is everything removed, then
/// everything added (the table would take too much memory).
const MAX_LINES: usize = 5_000;

/// The lines of `old` and `new`, marked same, removed or added, in order.
///
/// # Example
/// ```
/// use handshake_core::diff::{Line, lines};
/// let d = lines("a\nb\nc", "a\nB\nc");
/// assert_eq!(d, [Line::Same("a"), Line::Removed("b"), Line::Added("B"), Line::Same("c")]);
/// ```
pub fn lines<'a>(old: &'a str, new: &'a str) -> Vec<Line<'a>> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    if a.len() > MAX_LINES || b.len() > MAX_LINES {
        return a
            .iter()
            .map(|l| Line::Removed(l))
            .chain(b.iter().map(|l| Line::Added(l)))
            .collect();
    }
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let w = b.len() + 1;
    let mut lcs = vec![0_u32; (a.len() + 1) * w];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i * w + j] = if a[i] == b[j] {
                lcs[(i + 1) * w + j + 1] + 1
            } else {
                lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push(Line::Same(a[i]));
            i += 1;
            j += 1;
        } else if lcs[(i + 1) * w + j] >= lcs[i * w + j + 1] {
            out.push(Line::Removed(a[i]));
            i += 1;
        } else {
            out.push(Line::Added(b[j]));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|l| Line::Removed(l)));
    out.extend(b[j..].iter().map(|l| Line::Added(l)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Same and removed lines rebuild the old text; same and added the new.
        #[test]
        fn a_diff_rebuilds_both_sides(old in proptest::collection::vec("[abc]", 0..20),
                                       new in proptest::collection::vec("[abc]", 0..20)) {
            let (o, n) = (old.join("\n"), new.join("\n"));
            let d = lines(&o, &n);
            let back_old: Vec<&str> = d.iter().filter_map(|l| match l { Line::Same(s) | Line::Removed(s) => Some(*s), Line::Added(_) => None }).collect();
            let back_new: Vec<&str> = d.iter().filter_map(|l| match l { Line::Same(s) | Line::Added(s) => Some(*s), Line::Removed(_) => None }).collect();
            prop_assert_eq!(back_old, o.lines().collect::<Vec<_>>());
            prop_assert_eq!(back_new, n.lines().collect::<Vec<_>>());
        }
    }

    #[test]
    fn identical_texts_have_no_changes() {
        assert!(
            lines("x\ny", "x\ny")
                .iter()
                .all(|l| matches!(l, Line::Same(_)))
        );
    }
}
