//! JSON-RPC over a byte stream with `Content-Length` framing. Unlike `lsp_server`'s stdio
//! transport, a malformed message does not end the connection: it becomes a JSON-RPC error
//! (parse error or invalid request) and the next message is read.

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{ErrorCode, Message};
use serde_json::{json, Value};
use std::io::{self, BufRead, Read, Write};

/// Bodies larger than this are skipped with an error instead of being buffered.
const MAX_BODY_BYTES: usize = 512 << 20;

/// The reader's buffer: what the client wrote at once is decoded as one batch.
const READ_BUFFER_BYTES: usize = 1 << 16;

/// What the reader thread hands to the server.
#[derive(Debug)]
pub enum Incoming {
    /// A well-formed message.
    Message(Message),
    /// A message that could not be understood; `id` is the request id when one was readable.
    Malformed {
        /// The id of the request, if it had one.
        id: Option<Value>,
        /// JSON-RPC error code.
        code: i32,
        /// What was wrong (one line).
        message: String,
    },
    /// The client closed the stream.
    Eof,
}

/// What the server sends.
#[derive(Debug)]
pub enum Outgoing {
    /// A message.
    Message(Message),
    /// A raw JSON-RPC object (error responses whose id is `null`, which `lsp_server` cannot
    /// express).
    Raw(Value),
    /// A message already serialized (notifications are serialized straight from their
    /// parameters, without building a `Value` first: published diagnostics are large).
    Text(String),
}

/// Read messages from `input` on a thread until end of stream, in batches: the messages that
/// arrived together (already read from the stream when the first of them was decoded) are sent
/// as one batch, so that the server sees a `$/cancelRequest` sent right after its request
/// before it handles the request.
pub fn spawn_reader<R: Read + Send + 'static>(input: R) -> Receiver<Vec<Incoming>> {
    let (tx, rx) = crossbeam_channel::unbounded();
    let mut input = io::BufReader::with_capacity(READ_BUFFER_BYTES, input);
    let spawned = std::thread::Builder::new()
        .name("ordlint-lsp-reader".to_owned())
        .spawn(move || {
            let mut batch = Vec::new();
            loop {
                let incoming = match read_frame(&mut input) {
                    Ok(Frame::Body(body)) => decode(&body),
                    Ok(Frame::Bad(message)) => Incoming::Malformed {
                        id: None,
                        code: ErrorCode::ParseError as i32,
                        message,
                    },
                    Ok(Frame::Eof) | Err(_) => Incoming::Eof,
                };
                let eof = matches!(incoming, Incoming::Eof);
                batch.push(incoming);
                // Hand over the batch once nothing more is buffered (or the stream ended).
                let flush = eof || input.buffer().is_empty();
                if flush && (tx.send(std::mem::take(&mut batch)).is_err() || eof) {
                    return;
                }
            }
        });
    if spawned.is_err() {
        let (tx, rx) = crossbeam_channel::unbounded();
        let _ = tx.send(vec![Incoming::Eof]);
        return rx;
    }
    rx
}

/// Write messages to `output` on a thread; it ends when every sender is dropped. Join the
/// handle to make sure everything was flushed.
pub fn spawn_writer<W: Write + Send + 'static>(
    mut output: W,
) -> (Sender<Outgoing>, Option<std::thread::JoinHandle<()>>) {
    let (tx, rx) = crossbeam_channel::unbounded::<Outgoing>();
    let handle = std::thread::Builder::new()
        .name("ordlint-lsp-writer".to_owned())
        .spawn(move || {
            for out in rx {
                let written = match out {
                    Outgoing::Message(m) => m.write(&mut output),
                    Outgoing::Raw(v) => write_text(&mut output, &v.to_string()),
                    Outgoing::Text(text) => write_text(&mut output, &text),
                };
                if written.is_err() {
                    return;
                }
            }
        })
        .ok();
    (tx, handle)
}

fn write_text(w: &mut impl Write, text: &str) -> io::Result<()> {
    write!(w, "Content-Length: {}\r\n\r\n", text.len())?;
    w.write_all(text.as_bytes())?;
    w.flush()
}

enum Frame {
    Body(Vec<u8>),
    Bad(String),
    Eof,
}

fn read_frame(r: &mut impl BufRead) -> io::Result<Frame> {
    let mut length: Option<Result<usize, String>> = None;
    let mut line = String::new();
    let mut saw_header = false;
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Ok(Frame::Eof);
        }
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            if saw_header {
                break;
            }
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = header.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                let value = value.trim();
                length = Some(
                    value
                        .parse()
                        .map_err(|_| format!("bad Content-Length {value:?}")),
                );
            }
        }
    }
    let length = match length {
        None => return Ok(Frame::Bad("missing Content-Length header".to_owned())),
        Some(Err(e)) => return Ok(Frame::Bad(e)),
        Some(Ok(n)) => n,
    };
    if length > MAX_BODY_BYTES {
        io::copy(&mut r.take(length as u64), &mut io::sink())?;
        return Ok(Frame::Bad(format!(
            "message of {length} bytes is over the limit"
        )));
    }
    let mut body = vec![0; length];
    match r.read_exact(&mut body) {
        Ok(()) => Ok(Frame::Body(body)),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(Frame::Eof),
        Err(e) => Err(e),
    }
}

fn decode(body: &[u8]) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Incoming::Malformed {
                id: None,
                code: ErrorCode::ParseError as i32,
                message: format!("parse error: {e}"),
            }
        }
    };
    let id = value.get("id").cloned();
    match serde_json::from_value::<Message>(value) {
        Ok(m) => Incoming::Message(m),
        Err(e) => Incoming::Malformed {
            id,
            code: ErrorCode::InvalidRequest as i32,
            message: format!("invalid request: {e}"),
        },
    }
}

/// The error response for a malformed message (`id` is `null` when unknown).
pub fn error_response(id: Option<Value>, code: i32, message: &str) -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": id.unwrap_or(Value::Null),
        "error": { "code": code, "message": message },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &str) -> Vec<String> {
        let mut r = io::Cursor::new(input.as_bytes().to_vec());
        let mut out = Vec::new();
        while let Ok(f) = read_frame(&mut r) {
            match f {
                Frame::Eof => break,
                Frame::Body(b) => out.push(String::from_utf8_lossy(&b).into_owned()),
                Frame::Bad(m) => out.push(format!("bad: {m}")),
            }
        }
        out
    }

    #[test]
    fn a_bad_frame_does_not_stop_the_next_one() {
        let got = frames("Content-Length: x\r\n\r\nContent-Length: 2\r\n\r\n{}");
        assert_eq!(
            got,
            vec!["bad: bad Content-Length \"x\"".to_owned(), "{}".to_owned()]
        );
    }

    #[test]
    fn garbage_json_is_a_parse_error_and_a_missing_method_an_invalid_request() {
        assert!(matches!(
            decode(b"{oops"),
            Incoming::Malformed { code: -32700, .. }
        ));
        assert!(matches!(
            decode(br#"{"jsonrpc":"2.0","id":7}"#),
            Incoming::Malformed {
                code: -32600,
                id: Some(_),
                ..
            }
        ));
    }
}
