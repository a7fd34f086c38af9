//! The engine URL (`opensearch+http://host:port/NAME`) and where its credentials come from:
//! `LITSEARCH_ENGINE_USER`/`LITSEARCH_ENGINE_PASSWORD` or ~/.netrc, never the URL itself.

use std::fmt;

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineUrl {
    https: bool,
    host: String,
    port: u16,
    /// The alias every query goes through.
    pub name: String,
}

impl EngineUrl {
    pub fn parse(input: &str) -> Result<EngineUrl> {
        let usage = |why: &str| {
            Error::Usage(format!(
                "--engine {}: {why} (expected opensearch+http://HOST:PORT/NAME or opensearch+https://…)",
                mask(input)
            ))
        };
        let (https, rest) = if let Some(rest) = input.strip_prefix("opensearch+http://") {
            (false, rest)
        } else if let Some(rest) = input.strip_prefix("opensearch+https://") {
            (true, rest)
        } else {
            return Err(usage("unknown scheme"));
        };
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        if authority.contains('@') {
            return Err(usage(
                "credentials do not go in the URL; set LITSEARCH_ENGINE_USER and LITSEARCH_ENGINE_PASSWORD, or use ~/.netrc",
            ));
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => (
                h.to_owned(),
                p.parse::<u16>().map_err(|_| usage("bad port"))?,
            ),
            _ => (authority.to_owned(), if https { 443 } else { 9200 }),
        };
        if host.is_empty() {
            return Err(usage("no host"));
        }
        let name = path.trim_end_matches('/');
        let valid = !name.is_empty()
            && name.len() <= 200
            && !name.starts_with(['-', '_', '+', '.'])
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b));
        if !valid {
            return Err(usage(
                "the index name after the host must be lowercase letters, digits, - _ or . (e.g. /papers)",
            ));
        }
        Ok(EngineUrl {
            https,
            host,
            port,
            name: name.to_owned(),
        })
    }

    /// `http://host:port`, what requests are sent to.
    pub fn base(&self) -> String {
        format!(
            "{}://{}:{}",
            if self.https { "https" } else { "http" },
            self.host,
            self.port
        )
    }

    /// User and password: from the environment, else from ~/.netrc's entry for the host.
    pub fn credentials(&self) -> Option<(String, String)> {
        if let Ok(user) = std::env::var("LITSEARCH_ENGINE_USER") {
            let password = std::env::var("LITSEARCH_ENGINE_PASSWORD").unwrap_or_default();
            return Some((user, password));
        }
        let home = std::env::var_os("HOME")?;
        let text = std::fs::read_to_string(std::path::Path::new(&home).join(".netrc")).ok()?;
        netrc_lookup(&text, &self.host)
    }
}

impl fmt::Display for EngineUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "opensearch+{}/{}", self.base(), self.name)
    }
}

/// The URL as it may be shown: anything between `//` and `@` replaced by `***`.
pub fn mask(url: &str) -> String {
    match (url.find("//"), url.find('@')) {
        (Some(start), Some(at)) if at > start => {
            format!("{}***{}", &url[..start + 2], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// The login and password of `host` (or of `default`) in a .netrc text.
fn netrc_lookup(text: &str, host: &str) -> Option<(String, String)> {
    let mut words = text.split_whitespace();
    let mut found: Option<(String, String)> = None;
    let mut default: Option<(String, String)> = None;
    while let Some(word) = words.next() {
        let target = match word {
            "machine" => words.next() == Some(host),
            "default" => {
                let entry = read_entry(&mut words.clone());
                default = default.or(entry);
                continue;
            }
            _ => continue,
        };
        if target {
            found = read_entry(&mut words.clone());
            break;
        }
    }
    found.or(default)
}

fn read_entry<'a>(words: &mut impl Iterator<Item = &'a str>) -> Option<(String, String)> {
    let (mut login, mut password) = (None, None);
    while let Some(w) = words.next() {
        match w {
            "login" => login = words.next().map(str::to_owned),
            "password" => password = words.next().map(str::to_owned),
            "machine" | "default" => break,
            _ => {}
        }
    }
    Some((login?, password.unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_shows_engine_urls() {
        let u = EngineUrl::parse("opensearch+http://127.0.0.1:9200/papers").unwrap();
        assert_eq!(u.base(), "http://127.0.0.1:9200");
        assert_eq!(u.name, "papers");
        assert_eq!(u.to_string(), "opensearch+http://127.0.0.1:9200/papers");
        let s = EngineUrl::parse("opensearch+https://search.example.org/lab-papers").unwrap();
        assert_eq!(s.base(), "https://search.example.org:443");
        for bad in [
            "http://h:1/x",
            "opensearch+http://h:1/",
            "opensearch+http://h:1/Papers",
            "opensearch+http://h:port/x",
            "opensearch+http://u:secret@h:1/x",
        ] {
            let e = EngineUrl::parse(bad).unwrap_err().to_string();
            assert!(!e.contains("secret"), "{e}");
        }
    }

    #[test]
    fn netrc_entries() {
        let text = "machine other login a password b\nmachine h login me password pw\ndefault login d password e";
        assert_eq!(netrc_lookup(text, "h"), Some(("me".into(), "pw".into())));
        assert_eq!(netrc_lookup(text, "zzz"), Some(("d".into(), "e".into())));
        assert_eq!(
            mask("opensearch+http://u:p@h/x"),
            "opensearch+http://***@h/x"
        );
    }
}
