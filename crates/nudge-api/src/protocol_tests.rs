use serde_json::json;

use super::*;

fn rejected(line: &str) -> Rejection {
    Request::parse(line.as_bytes()).expect_err("must be rejected")
}

#[test]
fn a_request_is_read_with_number_or_string_id() {
    let request = Request::parse(br#"{"id": 7, "method": "status", "params": {}}"#).expect("ok");
    assert_eq!(request.id, RequestId::from(7));
    assert_eq!(request.method, "status");
    assert_eq!(request.params, json!({}));

    let request = Request::parse(br#"{"id": "a-1", "method": "roster"}"#).expect("ok");
    assert_eq!(request.id, RequestId::Text("a-1".into()));
    assert_eq!(request.params, Value::Null);
}

#[test]
fn malformed_lines_are_rejected_with_clear_codes() {
    let cases: &[(&str, ErrorCode, Option<RequestId>, &str)] = &[
        ("{not json", ErrorCode::ParseError, None, "not valid JSON"),
        ("", ErrorCode::ParseError, None, "not valid JSON"),
        ("[1, 2]", ErrorCode::InvalidRequest, None, "JSON object"),
        (
            r#"{"method": "status"}"#,
            ErrorCode::InvalidRequest,
            None,
            "no \"id\"",
        ),
        (
            r#"{"id": [1], "method": "status"}"#,
            ErrorCode::InvalidRequest,
            None,
            "number or a string",
        ),
        (
            r#"{"id": 3}"#,
            ErrorCode::InvalidRequest,
            Some(RequestId::from(3)),
            "\"method\"",
        ),
        (
            r#"{"id": 3, "method": 5}"#,
            ErrorCode::InvalidRequest,
            Some(RequestId::from(3)),
            "\"method\"",
        ),
        (
            r#"{"id": 4, "method": "status", "params": [1]}"#,
            ErrorCode::InvalidParams,
            Some(RequestId::from(4)),
            "must be an object",
        ),
        (
            r#"{"id": 5, "method": "status", "param": {}}"#,
            ErrorCode::InvalidRequest,
            Some(RequestId::from(5)),
            "\"param\"",
        ),
    ];
    for (line, code, id, words) in cases {
        let rejection = rejected(line);
        assert_eq!(rejection.error.code, code.as_str(), "{line}");
        assert_eq!(&rejection.id, id, "{line}");
        assert!(
            rejection.error.message.contains(words),
            "{line}: {}",
            rejection.error.message
        );
    }
}

#[test]
fn invalid_utf8_is_a_parse_error() {
    let rejection = Request::parse(b"{\"id\": 1, \"method\": \"st\xffus\"}").expect_err("rejected");
    assert_eq!(rejection.error.code, "parse_error");
}

#[test]
fn responses_serialise_as_documented() {
    let ok = Response::result(RequestId::from(1), json!({"id": "m1"}));
    assert_eq!(ok.to_line(), r#"{"id":1,"result":{"id":"m1"}}"#);
    let failed = Response::error(None, ErrorBody::new(ErrorCode::LineTooLong, "too long"));
    assert_eq!(
        failed.to_line(),
        r#"{"id":null,"error":{"code":"line_too_long","message":"too long"}}"#
    );
}

#[test]
fn server_lines_tell_responses_from_events() {
    let line = Response::result(RequestId::Text("x".into()), json!(true)).to_line();
    assert_eq!(
        ServerLine::parse(line.as_bytes()).expect("ok"),
        ServerLine::Response(Response::result(RequestId::Text("x".into()), json!(true)))
    );
    let event = br#"{"event":"contact_removed","jid":"bob@x.org"}"#;
    assert!(matches!(
        ServerLine::parse(event).expect("ok"),
        ServerLine::Event(v) if v["jid"] == "bob@x.org"
    ));
    assert!(ServerLine::parse(br#"{"hello":1}"#).is_err());
    assert!(ServerLine::parse(b"nope").is_err());
}

fn decode(max: usize, chunks: &[&[u8]]) -> Vec<Frame> {
    let mut decoder = LineDecoder::new(max);
    let mut out = Vec::new();
    for chunk in chunks {
        decoder.feed(chunk, &mut out);
    }
    out.extend(decoder.finish());
    out
}

fn line(text: &str) -> Frame {
    Frame::Line(text.as_bytes().to_vec())
}

#[test]
fn lines_are_split_across_and_within_chunks() {
    assert_eq!(
        decode(100, &[b"ab", b"c\nde\r\n\nf", b"g"]),
        vec![line("abc"), line("de"), line(""), line("fg")]
    );
}

#[test]
fn an_oversized_line_is_skipped_and_the_next_one_still_read() {
    // Exactly the limit is fine; one byte more is not, whether it comes in one chunk or many.
    assert_eq!(decode(4, &[b"abcd\n"]), vec![line("abcd")]);
    assert_eq!(
        decode(4, &[b"abcde\nok\n"]),
        vec![Frame::TooLong, line("ok")]
    );
    assert_eq!(
        decode(4, &[b"ab", b"cd", b"ef", b"gh\n", b"ok\n"]),
        vec![Frame::TooLong, line("ok")]
    );
    // An unterminated oversized tail yields nothing more at the end.
    assert_eq!(
        decode(4, &[b"ok\nabcdefgh"]),
        vec![line("ok"), Frame::TooLong]
    );
}

#[test]
fn the_decoder_never_holds_more_than_the_limit() {
    let mut decoder = LineDecoder::new(1024);
    let mut out = Vec::new();
    for _ in 0..100 {
        decoder.feed(&[b'x'; 1000], &mut out);
        assert!(decoder.buffer.len() <= 1024);
    }
    assert_eq!(out, vec![Frame::TooLong]);
}
