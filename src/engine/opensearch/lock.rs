//! One ingest at a time per alias: a lock document, created with `op_type=create` so only one
//! creator wins, renewed while the ingest runs and taken over once expired (its holder died).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::client::Client;
use crate::error::{Error, Result};

/// How long a lock outlives its last renewal, and how often a running ingest renews it.
const LOCK_TTL_SECS: i64 = 120;
const LOCK_RENEW: Duration = Duration::from_secs(30);

/// The ingest lock of an alias: a document created with `op_type=create` (so only one
/// creator wins) that says who holds it and until when; renewed while the ingest runs, taken
/// over once expired (its holder died).
pub(super) struct Lock<'a> {
    client: &'a Client,
    path: String,
    /// Tells this ingest's lock document from another's.
    token: String,
    seq: Option<(u64, u64)>,
    renewed: Instant,
}

impl<'a> Lock<'a> {
    pub(super) fn acquire(client: &'a Client, alias: &str, wait: Duration) -> Result<Lock<'a>> {
        let path = format!("/{alias}-lock/_doc/ingest");
        let deadline = Instant::now() + wait;
        let token = format!(
            "{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        );
        loop {
            let body = Self::body(&token);
            let reply = client.send(
                "PUT",
                &format!("{path}?op_type=create&refresh=true"),
                Some(&body),
            )?;
            let mine = if reply.ok() {
                Some(seq_of(&reply.body))
            } else if reply.status != 409 {
                return Err(client.status_error("PUT", &path, &reply));
            } else {
                None
            };
            let held = match mine {
                Some(_) => None,
                None => Some(client.send("GET", &path, None)?),
            };
            // Our own create, applied before a node failed and retried by the cluster: ours.
            let seq = match (&mine, &held) {
                (Some(seq), _) => Some(*seq),
                (None, Some(h))
                    if h.body.pointer("/_source/token").and_then(Value::as_str)
                        == Some(token.as_str()) =>
                {
                    Some(seq_of(&h.body))
                }
                _ => None,
            };
            if let Some(seq) = seq {
                return Ok(Lock {
                    client,
                    path,
                    token,
                    seq,
                    renewed: Instant::now(),
                });
            }
            let held = held.expect("fetched when not ours");
            let expires = held
                .body
                .pointer("/_source/expires")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            if held.ok() && expires < crate::clock::now_unix() {
                // Its holder died: take it over, unless someone else just did.
                if let Some((seq, term)) = seq_of(&held.body) {
                    let _ = client.send(
                        "DELETE",
                        &format!("{path}?if_seq_no={seq}&if_primary_term={term}&refresh=true"),
                        None,
                    );
                }
                continue;
            }
            if Instant::now() >= deadline {
                let holder = held
                    .body
                    .pointer("/_source/holder")
                    .and_then(Value::as_str)
                    .unwrap_or("another ingest")
                    .to_owned();
                return Err(Error::Busy {
                    dir: PathBuf::from(client.url.to_string()),
                    holder,
                });
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    fn body(token: &str) -> Value {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "this host".to_owned());
        json!({
            "token": token,
            "holder": format!("ingest (pid {} on {host}) since {}", std::process::id(), crate::clock::now_unix()),
            "expires": crate::clock::now_unix() + LOCK_TTL_SECS
        })
    }

    pub(super) fn renew_if_due(&mut self) -> Result<()> {
        if self.renewed.elapsed() < LOCK_RENEW {
            return Ok(());
        }
        let Some((seq, term)) = self.seq else {
            return Ok(());
        };
        let reply = self.client.send(
            "PUT",
            &format!("{}?if_seq_no={seq}&if_primary_term={term}", self.path),
            Some(&Self::body(&self.token)),
        )?;
        if !reply.ok() {
            return Err(self.client.error("lost the ingest lock (it expired and another ingest took it); nothing more was written"));
        }
        self.seq = seq_of(&reply.body);
        self.renewed = Instant::now();
        Ok(())
    }

    pub(super) fn release(&mut self) {
        if let Some((seq, term)) = self.seq.take() {
            let _ = self.client.send(
                "DELETE",
                &format!(
                    "{}?if_seq_no={seq}&if_primary_term={term}&refresh=true",
                    self.path
                ),
                None,
            );
        }
    }
}

fn seq_of(body: &Value) -> Option<(u64, u64)> {
    Some((
        body.get("_seq_no")?.as_u64()?,
        body.get("_primary_term")?.as_u64()?,
    ))
}
