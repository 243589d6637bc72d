//! Redirects that stay on this site (feature `ssr`): a path is sent only when it
//! is plain ASCII and starts with exactly one `/`, so a `Location` can never name
//! another host (`//host`, `/\host`) and never fails to become a header.

/// True for a path that may go into `Location`.
pub fn is_same_site(path: &str) -> bool {
    let bytes = path.as_bytes();
    bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/' | b'\\'))
        && bytes.iter().all(|b| b.is_ascii_graphic())
}

/// Redirects to `path` when it is same-site; otherwise to the start page.
pub fn to(path: &str) {
    if is_same_site(path) {
        leptos_axum::redirect(path);
    } else {
        tracing::warn!("refused a redirect that would leave the site");
        leptos_axum::redirect("/");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_pass() {
        for good in [
            "/",
            "/demo",
            "/agency/Demo?problem=x%20y",
            "/Veckom%C3%B6te",
        ] {
            assert!(is_same_site(good), "{good}");
        }
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "evil",
            "/a\u{1}",
            "/ö",
            "/a b",
            "",
        ] {
            assert!(!is_same_site(bad), "{bad:?}");
        }
    }
}
