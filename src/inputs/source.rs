//! Where an input's bytes come from: a file, opened again for each look, or a stream read once
//! (standard input, a pipe); either decompressed as it is read when its first bytes say so.
//!
//! Decompression is a stream (`Read` over `Read`): the readers' bounded lines and size caps apply
//! to the decompressed text, so a small file that inflates to gigabytes costs what a plain file
//! of gigabytes costs — one line at a time — never the whole of it in memory.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// An input's bytes, decompressed.
pub type InputBytes = Box<dyn Read + Send>;

/// How much of an input detection looks at (decompressed).
pub const HEAD_BYTES: usize = 64 * 1024;

/// A compressed input, by its magic bytes (whatever the file is called).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    Zstd,
    Xz,
    Bzip2,
}

impl Compression {
    /// The compression `head` (an input's first bytes) starts with, if any.
    pub fn sniff(head: &[u8]) -> Option<Compression> {
        if head.starts_with(&[0x1f, 0x8b]) {
            Some(Compression::Gzip)
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(Compression::Zstd)
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Some(Compression::Xz)
        } else if head.len() >= 10
            && head.starts_with(b"BZh")
            && matches!(head[3], b'1'..=b'9')
            // A block's magic (the digits of pi) or the end of an empty stream (of sqrt(pi)):
            // text starting "BZh9" is not taken for bzip2.
            && matches!(
                &head[4..10],
                [0x31, 0x41, 0x59, 0x26, 0x53, 0x59] | [0x17, 0x72, 0x45, 0x38, 0x50, 0x90]
            )
        {
            Some(Compression::Bzip2)
        } else {
            None
        }
    }

    /// The extensions a file so compressed is named with, stripped to find what it holds
    /// (`papers.bib.gz` is BibTeX).
    pub fn is_extension(ext: &str) -> bool {
        matches!(ext, "gz" | "gzip" | "zst" | "zstd" | "xz" | "bz2" | "bzip2")
    }

    /// The bytes `raw` holds, decompressed. Every decoder reads concatenated members or frames
    /// (`cat a.gz b.gz`, `pigz`, `pbzip2`, `xz -T0` write them) to the end.
    fn decoder(self, raw: InputBytes) -> io::Result<InputBytes> {
        Ok(match self {
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(raw)),
            Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(raw)?),
            Compression::Xz => Box::new(liblzma::read::XzDecoder::new_multi_decoder(raw)),
            Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(raw)),
        })
    }
}

/// Reads up to `limit` bytes (fewer only at the end of the input).
fn read_up_to(reader: &mut dyn Read, limit: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(limit.min(HEAD_BYTES));
    reader.take(limit as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// `raw` decompressed when its first bytes name a compression, and that compression.
fn decompressed(mut raw: InputBytes) -> io::Result<(InputBytes, Option<Compression>)> {
    let magic = read_up_to(&mut raw, 10)?;
    let compression = Compression::sniff(&magic);
    let raw: InputBytes = Box::new(io::Cursor::new(magic).chain(raw));
    match compression {
        Some(c) => Ok((c.decoder(raw)?, Some(c))),
        None => Ok((raw, None)),
    }
}

/// Opens a file's bytes, decompressed.
pub fn open_file(path: &Path) -> io::Result<InputBytes> {
    Ok(decompressed(Box::new(File::open(path)?))?.0)
}

/// The first `HEAD_BYTES` of a file (decompressed), whether that is all of it, and the
/// compression it is stored in.
pub fn file_head(path: &Path) -> io::Result<(Head, Option<Compression>)> {
    let (mut bytes, compression) = decompressed(Box::new(File::open(path)?))?;
    Ok((Head::read(&mut bytes)?, compression))
}

/// An input's first bytes (about `HEAD_BYTES`), decompressed, as detection sees them.
pub struct Head {
    pub bytes: Vec<u8>,
    /// The head is the whole input.
    pub complete: bool,
}

impl Head {
    /// The head of an input that is all of `bytes`.
    pub fn whole(bytes: &[u8]) -> Head {
        Head {
            bytes: bytes.to_vec(),
            complete: true,
        }
    }

    /// `HEAD_BYTES` and one more, which tells whether there is more.
    fn read(reader: &mut dyn Read) -> io::Result<Head> {
        let bytes = read_up_to(reader, HEAD_BYTES + 1)?;
        let complete = bytes.len() <= HEAD_BYTES;
        Ok(Head { bytes, complete })
    }

    /// The head up to its last whole line: what line-by-line checks may judge (a line cut at
    /// the head's end is not bad input).
    pub fn whole_lines(&self) -> &[u8] {
        if self.complete {
            return &self.bytes;
        }
        match memchr::memrchr(b'\n', &self.bytes) {
            Some(end) => &self.bytes[..=end],
            None => &[],
        }
    }
}

/// A stream that can be read once (standard input, a named pipe): opened, its head read and
/// kept, when the inputs are collected — so an ingest takes its lock only once input has
/// arrived — and handed whole (head first) to the one reader that reads it.
#[derive(Clone)]
pub struct Stream(Arc<Mutex<Option<InputBytes>>>);

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stream")
    }
}

impl Stream {
    /// Waits for the stream's first bytes (or its end); returns the stream and its head.
    pub fn start(raw: InputBytes) -> io::Result<(Stream, Head, Option<Compression>)> {
        let (mut bytes, compression) = decompressed(raw)?;
        let head = Head::read(&mut bytes)?;
        let whole: InputBytes = Box::new(io::Cursor::new(head.bytes.clone()).chain(bytes));
        Ok((Stream(Arc::new(Mutex::new(Some(whole)))), head, compression))
    }

    /// The stream's bytes, for the one read of it; an error if it was read already.
    pub fn take(&self) -> io::Result<InputBytes> {
        self.0
            .lock()
            .ok()
            .and_then(|mut slot| slot.take())
            .ok_or_else(|| io::Error::other("a stream can be read only once"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn a_stream_gives_its_head_then_the_rest_once() {
        let text = "line\n".repeat(HEAD_BYTES);
        let (stream, head, compression) =
            Stream::start(Box::new(io::Cursor::new(gzip(text.as_bytes())))).unwrap();
        assert_eq!(compression, Some(Compression::Gzip));
        assert!(!head.complete);
        assert_eq!(head.bytes.len(), HEAD_BYTES + 1);
        assert!(head.whole_lines().ends_with(b"line\n"));
        let mut all = String::new();
        stream.take().unwrap().read_to_string(&mut all).unwrap();
        assert!(all == text, "{} bytes read of {}", all.len(), text.len());
        assert!(stream.take().is_err());
    }

    #[test]
    fn concatenated_gzip_members_are_read_to_the_end() {
        let mut two = gzip(b"first\n");
        two.extend(gzip(b"second\n"));
        let (stream, head, _) = Stream::start(Box::new(io::Cursor::new(two))).unwrap();
        assert!(head.complete);
        let mut all = String::new();
        stream.take().unwrap().read_to_string(&mut all).unwrap();
        assert_eq!(all, "first\nsecond\n");
    }

    #[test]
    fn plain_text_is_not_taken_for_compressed() {
        for text in ["BZh is a word", "BZh9 is text", "\x1f only", "plain"] {
            assert_eq!(Compression::sniff(text.as_bytes()), None, "{text}");
        }
    }
}
