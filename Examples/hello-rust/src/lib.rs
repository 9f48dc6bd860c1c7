//! hello-rust: a Pattern Server plugin in Rust, with no crates: the bindings in `abi.rs` are
//! written by hand from `pattern_plugin.h`. It behaves as Examples/hello-c does:
//!
//!   GET /api/v1/hello          -> 200 {"message":"hello from Rust"}   (public, inline)
//!   GET /api/v1/hello/{name}   -> 200 {"message":"hello, <name>"}     (public; 400 when
//!                                 {name} is malformed percent-encoding)
//!   every response             -> X-Hello-Rust: 1                      (RESPONSE middleware)
//!
//! No panic may unwind into the host: the code below cannot panic, and the release profile
//! aborts instead of unwinding.
mod abi;

use abi::*;
use std::os::raw::c_void;
use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};

/// The host's tables, kept by init (they live as long as the process); read by handlers on any
/// thread.
static HTTP: AtomicPtr<pattern_http_api> = AtomicPtr::new(ptr::null_mut());
static JSON: AtomicPtr<pattern_json_api> = AtomicPtr::new(ptr::null_mut());

const EMPTY: pattern_str = pattern_str::from_static("");

unsafe fn http() -> &'static pattern_http_api {
    &*HTTP.load(Ordering::Acquire)
}

/// {"message": text}; the host escapes the text and sets the Content-Type.
unsafe fn respond_message(request: *mut pattern_request, text: pattern_str) -> pattern_status {
    let json = &*JSON.load(Ordering::Acquire);
    let mut status = (json.begin_object)(request, EMPTY);
    if status == PATTERN_OK {
        status = (json.write_string)(request, pattern_str::from_static("message"), text);
    }
    if status == PATTERN_OK {
        status = (json.end_object)(request);
    }
    status
}

// ----- routes and middleware --------------------------------------------------------------

unsafe extern "C" fn hello(request: *mut pattern_request, _: *mut c_void) -> pattern_status {
    respond_message(request, pattern_str::from_static("hello from Rust"))
}

unsafe extern "C" fn hello_name(request: *mut pattern_request, _: *mut c_void) -> pattern_status {
    let mut name = EMPTY;
    match (http().path_param)(request, pattern_str::from_static("name"), &mut name) {
        PATTERN_OK => {}
        // Malformed percent-encoding: the client's fault.
        PATTERN_INVALID => {
            return (http().respond_error)(
                request,
                400,
                pattern_str::from_static("validation_error"),
                pattern_str::from_static("name: must be percent-encoded"),
                pattern_str::from_static(r#"[{"field":"name","message":"must be percent-encoded"}]"#),
            )
        }
        // The route has {name}, so this is the host's fault: 500.
        _ => return PATTERN_INTERNAL,
    }
    let mut text = b"hello, ".to_vec();
    text.extend_from_slice(name.as_bytes());
    respond_message(request, pattern_str::from_bytes(&text))
}

unsafe extern "C" fn tag_response(request: *mut pattern_request, _: *mut c_void) -> i32 {
    (http().add_header)(request, pattern_str::from_static("X-Hello-Rust"), pattern_str::from_static("1"));
    PATTERN_CONTINUE
}

// ----- OpenAPI operations (the host adds the tags and the {name} parameter) ---------------

const HELLO_OPENAPI: &str = concat!(
    r#"{"operationId":"helloRust","summary":"Greets from a Rust plugin","security":[],"responses":{"#,
    r#""200":{"description":"A greeting","content":{"application/json":{"schema":{"type":"object","#,
    r#""required":["message"],"properties":{"message":{"type":"string"}}}}}}}}"#
);
const HELLO_NAME_OPENAPI: &str = concat!(
    r#"{"operationId":"helloRustName","summary":"Greets the given name from a Rust plugin","security":[],"#,
    r#""responses":{"200":{"description":"A greeting","content":{"application/json":{"schema":{"#,
    r#""type":"object","required":["message"],"properties":{"message":{"type":"string"}}}}}},"#,
    r#""400":{"description":"validation_error: malformed percent-encoding","content":{"application/json":"#,
    r##"{"schema":{"$ref":"#/components/schemas/Error"}}}}}}"##
);

// ----- init and the descriptor ------------------------------------------------------------

unsafe fn fail(error: *mut pattern_error, status: pattern_status, message: &str) -> pattern_status {
    if !error.is_null() && (*error).struct_size as usize >= std::mem::size_of::<pattern_error>() {
        let room = (*error).message.len() - 1;
        for (index, byte) in message.bytes().take(room).enumerate() {
            (*error).message[index] = byte as _;
        }
        (*error).message[message.len().min(room)] = 0;
    }
    status
}

unsafe fn route(method: &'static str, path: &'static str, handler: HandlerFn, flags: u32, openapi: &'static str) -> pattern_route {
    pattern_route {
        struct_size: std::mem::size_of::<pattern_route>() as u32,
        method: pattern_str::from_static(method),
        path: pattern_str::from_static(path),
        handler: Some(handler),
        userdata: ptr::null_mut(),
        flags,
        permission: EMPTY,
        openapi: pattern_str::from_static(openapi),
    }
}

unsafe extern "C" fn init(host: *const pattern_host_v1, plugin: *mut pattern_plugin, error: *mut pattern_error) -> pattern_status {
    // json (1.6) comes after core, log and http in the host table: covering it covers all four.
    let host = &*host;
    if host.abi_major != PATTERN_ABI_MAJOR
        || !covers::<pattern_host_v1>(host.struct_size)
        || !covers::<pattern_json_api>((*host.json).struct_size)
        || !covers::<pattern_http_api>((*host.http).struct_size)
    {
        return fail(error, PATTERN_VERSION, "hello-rust needs a host of ABI 1.6 or later (json)");
    }
    HTTP.store(host.http as *mut _, Ordering::Release);
    JSON.store(host.json as *mut _, Ordering::Release);
    let routes = [
        route("GET", "/api/v1/hello", hello, PATTERN_PUBLIC | PATTERN_INLINE, HELLO_OPENAPI),
        route("GET", "/api/v1/hello/{name}", hello_name, PATTERN_PUBLIC, HELLO_NAME_OPENAPI),
    ];
    for route in routes.iter() {
        let status = (http().add_route)(plugin, route);
        if status != PATTERN_OK {
            return fail(error, status, "hello-rust: the host refused a route");
        }
    }
    let tagger = pattern_middleware {
        struct_size: std::mem::size_of::<pattern_middleware>() as u32,
        phase: PATTERN_PHASE_RESPONSE,
        order: 0,
        run: Some(tag_response),
        userdata: ptr::null_mut(),
        flags: PATTERN_INLINE,
    };
    let status = (http().add_middleware)(plugin, &tagger);
    if status != PATTERN_OK {
        return fail(error, status, "hello-rust: the host refused the response middleware");
    }
    ((*host.core).report_health)(plugin, PATTERN_HEALTH_OK, EMPTY);
    ((*host.log).write)(plugin, PATTERN_LOG_INFO, pattern_str::from_static("ready: 2 routes, 1 response middleware"));
    PATTERN_OK
}

/// The descriptor holds raw pointers to static text, which never changes.
struct Descriptor(pattern_plugin_descriptor);
unsafe impl Sync for Descriptor {}

static DESCRIPTOR: Descriptor = Descriptor(pattern_plugin_descriptor {
    struct_size: std::mem::size_of::<pattern_plugin_descriptor>() as u32,
    abi_major: PATTERN_ABI_MAJOR,
    abi_minor: PATTERN_ABI_MINOR,
    name: pattern_str::from_static("hello-rust"),
    version: pattern_str::from_static("1.0.0"),
    description: pattern_str::from_static("Example plugin in Rust: greetings and an X-Hello-Rust header"),
    requires: ptr::null(),
    requires_count: 0,
    init: Some(init),
    shutdown: None,
});

#[no_mangle]
pub extern "C" fn pattern_plugin_entry_v1() -> *const pattern_plugin_descriptor {
    &DESCRIPTOR.0
}
