//! Bindings to `Sources/PluginABI/include/pattern_plugin.h`, written by hand: only what this
//! plugin uses. Host tables are declared up to the last slot used; a slot the plugin never
//! calls is an `Unused` pointer so the layout matches. `init` checks `struct_size` before
//! reading a table, so a prefix of the C struct is all Rust needs to know.
#![allow(non_camel_case_types, dead_code)]

use std::os::raw::{c_char, c_void};

pub const PATTERN_ABI_MAJOR: u16 = 1;
pub const PATTERN_ABI_MINOR: u16 = 6;

pub type pattern_status = i32;
pub const PATTERN_OK: pattern_status = 0;
pub const PATTERN_INVALID: pattern_status = 1;
pub const PATTERN_VERSION: pattern_status = 4;
pub const PATTERN_INTERNAL: pattern_status = 7;

pub const PATTERN_PUBLIC: u32 = 0x2;
pub const PATTERN_INLINE: u32 = 0x1;
pub const PATTERN_PHASE_RESPONSE: i32 = 5;
pub const PATTERN_CONTINUE: i32 = 0;
pub const PATTERN_HEALTH_OK: i32 = 0;
pub const PATTERN_LOG_INFO: i32 = 1;

/// Borrowed UTF-8 (pointer, length), never NUL-terminated.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct pattern_str {
    pub ptr: *const c_char,
    pub len: usize,
}

impl pattern_str {
    pub const fn from_static(text: &'static str) -> pattern_str {
        pattern_str { ptr: text.as_ptr() as *const c_char, len: text.len() }
    }

    pub fn from_bytes(bytes: &[u8]) -> pattern_str {
        pattern_str { ptr: bytes.as_ptr() as *const c_char, len: bytes.len() }
    }

    /// The bytes, borrowed for as long as the host said the string is valid.
    pub unsafe fn as_bytes<'a>(self) -> &'a [u8] {
        if self.ptr.is_null() || self.len == 0 {
            &[]
        } else {
            std::slice::from_raw_parts(self.ptr as *const u8, self.len)
        }
    }
}

pub enum pattern_plugin {}
pub enum pattern_request {}
/// A slot this plugin never calls: only its size matters.
type Unused = Option<unsafe extern "C" fn()>;

#[repr(C)]
pub struct pattern_error {
    pub struct_size: u32,
    pub message: [c_char; 256],
}

pub type InitFn = unsafe extern "C" fn(*const pattern_host_v1, *mut pattern_plugin, *mut pattern_error) -> pattern_status;

#[repr(C)]
pub struct pattern_plugin_descriptor {
    pub struct_size: u32,
    pub abi_major: u16,
    pub abi_minor: u16,
    pub name: pattern_str,
    pub version: pattern_str,
    pub description: pattern_str,
    pub requires: *const pattern_str,
    pub requires_count: usize,
    pub init: Option<InitFn>,
    pub shutdown: Option<unsafe extern "C" fn()>,
}

#[repr(C)]
pub struct pattern_core_api {
    pub struct_size: u32,
    host_version: Unused,
    pub report_health: unsafe extern "C" fn(*mut pattern_plugin, i32, pattern_str) -> pattern_status,
}

#[repr(C)]
pub struct pattern_log_api {
    pub struct_size: u32,
    enabled: Unused,
    pub write: unsafe extern "C" fn(*mut pattern_plugin, i32, pattern_str),
}

pub type HandlerFn = unsafe extern "C" fn(*mut pattern_request, *mut c_void) -> pattern_status;
pub type MiddlewareFn = unsafe extern "C" fn(*mut pattern_request, *mut c_void) -> i32;

#[repr(C)]
pub struct pattern_route {
    pub struct_size: u32,
    pub method: pattern_str,
    pub path: pattern_str,
    pub handler: Option<HandlerFn>,
    pub userdata: *mut c_void,
    pub flags: u32,
    pub permission: pattern_str,
    pub openapi: pattern_str,
}

#[repr(C)]
pub struct pattern_middleware {
    pub struct_size: u32,
    pub phase: i32,
    pub order: i32,
    pub run: Option<MiddlewareFn>,
    pub userdata: *mut c_void,
    pub flags: u32,
}

type Request = *mut pattern_request;

#[repr(C)]
pub struct pattern_http_api {
    pub struct_size: u32,
    pub add_route: unsafe extern "C" fn(*mut pattern_plugin, *const pattern_route) -> pattern_status,
    pub add_middleware: unsafe extern "C" fn(*mut pattern_plugin, *const pattern_middleware) -> pattern_status,
    // method, path, query, route_template, request_id, client_ip, body, header, header_count, header_at
    unused_request_accessors: [Unused; 10],
    pub path_param: unsafe extern "C" fn(Request, pattern_str, *mut pattern_str) -> pattern_status,
    // query_param, route_flags, route_permission, set_principal, get_principal, set_attribute,
    // get_attribute, set_status
    unused_until_add_header: [Unused; 8],
    pub add_header: unsafe extern "C" fn(Request, pattern_str, pattern_str) -> pattern_status,
    write_body: Unused,
    pub respond_error: unsafe extern "C" fn(Request, i32, pattern_str, pattern_str, pattern_str) -> pattern_status,
}

#[repr(C)]
pub struct pattern_json_api {
    pub struct_size: u32,
    // body, type, string, integer, number, boolean, object, array, element, problem, check
    unused_readers: [Unused; 11],
    pub begin_object: unsafe extern "C" fn(Request, pattern_str) -> pattern_status,
    pub end_object: unsafe extern "C" fn(Request) -> pattern_status,
    begin_array: Unused,
    end_array: Unused,
    pub write_string: unsafe extern "C" fn(Request, pattern_str, pattern_str) -> pattern_status,
}

#[repr(C)]
pub struct pattern_host_v1 {
    pub struct_size: u32,
    pub abi_major: u16,
    pub abi_minor: u16,
    pub core: *const pattern_core_api,
    pub log: *const pattern_log_api,
    pub http: *const pattern_http_api,
    // db, services, events, ws, metrics, config, responses, timers, client, process, secrets
    unused_tables: [*const c_void; 11],
    pub json: *const pattern_json_api,
}

/// PATTERN_HAS_FIELD for the last field of a prefix struct above: a table of `struct_size`
/// bytes holds every slot `T` declares.
pub fn covers<T>(struct_size: u32) -> bool {
    std::mem::size_of::<T>() <= struct_size as usize
}
