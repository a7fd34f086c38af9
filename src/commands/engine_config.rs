//! `litsearch engine-config`: the OpenSearch index body (settings and mappings) on stdout.

use super::{flush, out_err, stdout};
use crate::cli::EngineConfigArgs;
use crate::engine::opensearch::schema::{index_body, Layout};
use crate::error::{exit, Result};

pub fn run(args: EngineConfigArgs) -> Result<u8> {
    let body = index_body(Layout {
        shards: args.shards,
        replicas: args.replicas,
    });
    let mut out = stdout();
    serde_json::to_writer_pretty(&mut out, &body).map_err(|e| out_err(e.into()))?;
    std::io::Write::write_all(&mut out, b"\n").map_err(out_err)?;
    flush(out)?;
    Ok(exit::OK)
}
