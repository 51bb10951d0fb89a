//! Random values for CSRF tokens, tickets, token strings and ids (OS CSPRNG).

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

pub(crate) fn bytes(n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).expect("the OS random number generator failed");
    b
}

pub(crate) fn u64() -> u64 {
    let b = bytes(8);
    let mut a = [0u8; 8];
    a.copy_from_slice(&b);
    u64::from_le_bytes(a)
}

/// `n` random bytes as upper-case hex (Garmin's CSRF tokens look like this).
pub(crate) fn hex_upper(n: usize) -> String {
    bytes(n).iter().map(|b| format!("{b:02X}")).collect()
}

pub(crate) fn hex_lower(n: usize) -> String {
    bytes(n).iter().map(|b| format!("{b:02x}")).collect()
}

fn pick(set: &[u8], n: usize) -> String {
    // Rejection sampling keeps the distribution uniform.
    let limit = 256 - (256 % set.len());
    let mut out = String::with_capacity(n);
    while out.len() < n {
        for b in bytes(n * 2) {
            if (b as usize) < limit && out.len() < n {
                out.push(set[b as usize % set.len()] as char);
            }
        }
    }
    out
}

pub(crate) fn alnum(n: usize) -> String {
    pick(ALNUM, n)
}

pub(crate) fn digits(n: usize) -> String {
    pick(b"0123456789", n)
}

/// A random (version 4) UUID in its usual textual form.
pub(crate) fn uuid() -> String {
    let mut b = bytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A number in `lo..hi` (hi exclusive).
pub(crate) fn range(lo: u64, hi: u64) -> u64 {
    lo + u64() % (hi - lo).max(1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn shapes() {
        assert_eq!(super::hex_upper(50).len(), 100);
        assert!(super::alnum(20).chars().all(|c| c.is_ascii_alphanumeric()));
        assert!(super::digits(7).chars().all(|c| c.is_ascii_digit()));
        let u = super::uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_ne!(super::uuid(), u);
    }
}
