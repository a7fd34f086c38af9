//! An ingest that is refused or fails — a guard, a full disk, SIGTERM — leaves the index
//! directory exactly as it found it (every file, byte for byte), and the next ingest works.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::{entry, synthetic_export, Workdir};

/// Every file under `dir`: relative path → (length, hash of the content).
fn snapshot(dir: &Path) -> BTreeMap<String, (u64, u64)> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, (u64, u64)>) {
        for entry in std::fs::read_dir(dir).expect("read index dir") {
            let path = entry.expect("entry").path();
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            if path.is_dir() {
                out.insert(format!("{rel}/"), (0, 0));
                walk(root, &path, out);
            } else {
                let bytes = std::fs::read(&path).expect("read file");
                let mut h = std::collections::hash_map::DefaultHasher::new();
                bytes.hash(&mut h);
                out.insert(rel, (bytes.len() as u64, h.finish()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn total_bytes(s: &BTreeMap<String, (u64, u64)>) -> u64 {
    s.values().map(|(len, _)| len).sum()
}

fn assert_unchanged(before: &BTreeMap<String, (u64, u64)>, dir: &Path, what: &str) {
    let after = snapshot(dir);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "{what}: the file list changed"
    );
    assert_eq!(
        total_bytes(before),
        total_bytes(&after),
        "{what}: byte count"
    );
    assert_eq!(before, &after, "{what}: a file's content changed");
}

/// The shipped corpus indexed into `index`, plus `extra.txt`: `n` synthetic papers.
fn indexed_with_extra(w: &Workdir, index: &Path, n: usize) {
    let r = w.run(&["ingest", "--index", index.to_str().unwrap(), "corpus"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    w.write("extra/extra.txt", synthetic_export(n, 7));
}

#[test]
fn refused_ingests_leave_every_file_as_it_was() {
    let w = Workdir::with_corpus();
    let index = w.path("index");
    indexed_with_extra(&w, &index, 2000);
    let idx = index.to_str().unwrap();
    let before = snapshot(&index);

    // The removal guard: 2,000 new papers and none of the 25 indexed ones.
    let r = w.run(&["ingest", "--index", idx, "extra"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("would remove 25 of 25"), "{}", r.stderr);
    assert_unchanged(&before, &index, "removal guard");

    // --strict with a warning, the changed papers of a large export arriving before it.
    let lacking = entry(
        "Lacks Authors",
        "An abstract.",
        &["Monitoring"],
        "A B, C D",
        "A B",
        "Mar 3, 2025",
    )
    .replace("Authors:\n\nA B, C D\n\n", "");
    w.write("extra/zz-bad.txt", format!("All Research\n\n{lacking}"));
    let r = w.run(&["ingest", "--index", idx, "--strict", "corpus", "extra"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--strict"), "{}", r.stderr);
    assert_unchanged(&before, &index, "--strict");

    // And the index still syncs afterwards.
    let r = w.run(&[
        "ingest",
        "--index",
        idx,
        "--json",
        "corpus",
        "extra/extra.txt",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("\"added\":2000"), "{}", r.stdout);
}

/// A tmpfs of `mb` megabytes at `at`, unmounted when dropped; None (with the reason printed)
/// where this process may not mount.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, mb: u32) -> Option<Tmpfs> {
        std::fs::create_dir_all(at).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mb}m"), "tmpfs"])
            .arg(at)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Tmpfs(at.to_path_buf())),
            Ok(o) => {
                eprintln!(
                    "skipped: mounting a tmpfs is not permitted here ({})",
                    String::from_utf8_lossy(&o.stderr).trim()
                );
                None
            }
            Err(e) => {
                eprintln!("skipped: cannot run mount ({e})");
                None
            }
        }
    }

    fn resize(&self, mb: u32) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,size={mb}m")])
            .arg(&self.0)
            .status()
            .expect("mount")
            .success();
        assert!(ok, "remount {}", self.0.display());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_is_one_line_leaves_the_index_and_the_next_ingest_succeeds() {
    let w = Workdir::with_corpus();
    let index = w.path("index");
    let Some(disk) = Tmpfs::mount(&index, 2) else {
        return;
    };
    indexed_with_extra(&w, &index, 12_000);
    let idx = index.to_str().unwrap();
    let before = snapshot(&index);

    // Refused by the guard before a segment is written: the refusal, not a full disk.
    let r = w.run(&["ingest", "--index", idx, "extra"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("would remove 25 of 25"), "{}", r.stderr);
    assert_unchanged(&before, &index, "refused on a small disk");

    // Forced: the disk fills up.
    let r = w.run(&["ingest", "--index", idx, "--force", "extra"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("No space left on device"), "{}", r.stderr);
    assert!(r.stderr.contains(idx), "names the path: {}", r.stderr);
    assert!(r.stderr.contains("the index is unchanged"), "{}", r.stderr);
    assert!(!r.stderr.contains("--rebuild"), "{}", r.stderr);
    assert_unchanged(&before, &index, "full disk");
    let v = w.query(&["--index", idx, "sycophancy"]);
    assert_eq!(v.total, 1, "{v:?}");

    // Space is back: the same ingest succeeds.
    disk.resize(64);
    let r = w.run(&["ingest", "--index", idx, "--force", "--json", "extra"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let summary: crate::common::shapes::IngestSummary = crate::common::shapes::strict(&r.stdout);
    assert_eq!(summary.records, 12000, "{}", r.stdout);
}

#[test]
fn sigterm_during_ingest_removes_what_it_wrote() {
    let w = Workdir::with_corpus();
    let index = w.path("index");
    indexed_with_extra(&w, &index, 30_000);
    let idx = index.to_str().unwrap();
    let before = snapshot(&index);
    let generations = |dir: &Path| {
        std::fs::read_dir(dir)
            .unwrap()
            .filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                name.to_string_lossy().starts_with("gen-")
            })
            .count()
    };
    assert_eq!(generations(&index), 1);

    let mut child = w
        .cmd()
        .args(["ingest", "--index", idx, "corpus", "extra"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn ingest");
    // The ingest is writing once its staging generation exists: then it gets the signal.
    let deadline = Instant::now() + Duration::from_secs(60);
    while generations(&index) < 2 {
        assert!(Instant::now() < deadline, "no staging generation appeared");
        assert!(child.try_wait().unwrap().is_none(), "ingest ended early");
        std::thread::sleep(Duration::from_millis(1));
    }
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(128 + 15), "{stderr}");
    assert!(
        stderr.contains("stopped by SIGTERM; the index is unchanged"),
        "{stderr}"
    );
    assert_unchanged(&before, &index, "SIGTERM");

    let r = w.run(&["ingest", "--index", idx, "--json", "corpus", "extra"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("\"added\":30000"), "{}", r.stdout);
}
