//! `POST /v1/messages` request bytes, built before the clock starts, and a minimal HTTP/1.1
//! keep-alive client for them (Content-Length framing only, which is what the node sends).

use alloy_primitives::{hex, B256};
use numo_stf::SignedMessage;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The request bytes submitting `signed` in canonical form; `market`, when given, spares the
/// node the search for the signature's domain; `wait = false` answers at admission.
pub fn request(signed: &SignedMessage, market: Option<B256>, wait: bool) -> Vec<u8> {
    let market = market.map_or_else(String::new, |m| format!(",\"market\":\"{m}\""));
    let body = format!(
        "{{\"message\":\"{}\",\"signature\":\"{}\"{market}}}",
        hex::encode_prefixed(signed.message.encode()),
        hex::encode_prefixed(signed.signature.0)
    );
    let path = if wait { "/v1/messages" } else { "/v1/messages?wait=false" };
    format!(
        "POST {path} HTTP/1.1\r\nhost: numo\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The request bytes submitting `messages` in one `POST /v1/messages/batch` (at most
/// `SUBMIT_BATCH_MAX` = 256 of them), each in canonical form with its market when given.
pub fn batch_request(messages: &[(SignedMessage, Option<B256>)], wait: bool) -> Vec<u8> {
    let items: Vec<String> = messages
        .iter()
        .map(|(signed, market)| {
            let market = market.map_or_else(String::new, |m| format!(",\"market\":\"{m}\""));
            format!(
                "{{\"message\":\"{}\",\"signature\":\"{}\"{market}}}",
                hex::encode_prefixed(signed.message.encode()),
                hex::encode_prefixed(signed.signature.0)
            )
        })
        .collect();
    let body = format!("{{\"messages\":[{}]}}", items.join(","));
    let path = if wait { "/v1/messages/batch" } else { "/v1/messages/batch?wait=false" };
    format!(
        "POST {path} HTTP/1.1\r\nhost: numo\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The body of a request built by [`request`].
pub fn request_body(request: &[u8]) -> &[u8] {
    request.windows(4).position(|w| w == b"\r\n\r\n").map_or(request, |end| &request[end + 4..])
}

/// One keep-alive connection.
#[derive(Debug)]
pub struct Http {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Http {
    /// Connects (with `TCP_NODELAY`: requests are small and latency is measured).
    pub async fn connect(addr: SocketAddr) -> std::io::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self { stream, buf: Vec::with_capacity(4096) })
    }

    /// Sends one request and reads its response: the status and the body.
    pub async fn call(&mut self, request: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
        self.stream.write_all(request).await?;
        let mut chunk = [0u8; 8192];
        loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let (status, length) = parse_head(&self.buf[..end])?;
                let total = end + 4 + length;
                while self.buf.len() < total {
                    self.fill(&mut chunk).await?;
                }
                let body = self.buf[end + 4..total].to_vec();
                self.buf.drain(..total);
                return Ok((status, body));
            }
            self.fill(&mut chunk).await?;
        }
    }

    async fn fill(&mut self, chunk: &mut [u8]) -> std::io::Result<()> {
        let n = self.stream.read(chunk).await?;
        if n == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the node closed the connection"));
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }
}

fn parse_head(head: &[u8]) -> std::io::Result<(u16, usize)> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("bad HTTP response: {what}"));
    let head = std::str::from_utf8(head).map_err(|_| bad("head is not UTF-8"))?;
    let status = head.get(9..12).and_then(|s| s.parse().ok()).ok_or_else(|| bad("status line"))?;
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length").then(|| value.trim().parse().ok())?
        })
        .ok_or_else(|| bad("no content-length"))?;
    Ok((status, length))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_parse() {
        assert_eq!(parse_head(b"HTTP/1.1 200 OK\r\ncontent-type: x\r\nContent-Length: 12").unwrap(), (200, 12));
        assert_eq!(parse_head(b"HTTP/1.1 409 Conflict\r\ncontent-length:0").unwrap(), (409, 0));
        assert!(parse_head(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked").is_err());
        assert!(parse_head(b"garbage").is_err());
    }
}
