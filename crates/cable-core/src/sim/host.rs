//! The host side of the mechanism ABI: the callbacks a mechanism calls
//! during a call (`net_send`, `net_move`, `net_event`, error reports), the outbox they
//! fill, and turning a call's status into an error.

use super::Simulation;
use crate::error::SimError;
use mech_api::abi::{HostApi, STATUS_OK};
use std::ffi::c_void;

/// Buffers the host callbacks fill during a mechanism call.
#[derive(Default)]
pub(super) struct Outbox {
    pub(super) sends: Vec<(u32, f64, f64, *mut f64)>,
    /// `net_move`s: (number of `sends` queued before it, instance, new time).
    pub(super) moves: Vec<(usize, u32, f64)>,
    /// The time of the event being delivered (NET_RECEIVE's `t`).
    pub(super) event_t: f64,
    pub(super) spikes: Vec<(u32, f64)>,
    pub(super) error: Option<String>,
}

unsafe extern "C" fn host_net_send(
    ctx: *mut c_void,
    instance: u32,
    t_deliver: f64,
    flag: f64,
    weights: *mut f64,
) {
    // SAFETY: ctx is the Outbox of the simulation making the call.
    let ob = &mut *(ctx as *mut Outbox);
    ob.sends.push((instance, t_deliver, flag, weights));
}

unsafe extern "C" fn host_net_move(ctx: *mut c_void, instance: u32, t: f64) {
    // SAFETY: as above.
    let ob = &mut *(ctx as *mut Outbox);
    ob.moves.push((ob.sends.len(), instance, t));
}

unsafe extern "C" fn host_net_event(ctx: *mut c_void, instance: u32, t: f64) {
    // SAFETY: as above.
    let ob = &mut *(ctx as *mut Outbox);
    ob.spikes.push((instance, t));
}

unsafe extern "C" fn host_report_error(ctx: *mut c_void, msg: *const u8, len: usize) {
    // SAFETY: as above; msg/len describe a byte string owned by the caller.
    let ob = &mut *(ctx as *mut Outbox);
    let bytes = std::slice::from_raw_parts(msg, len);
    ob.error = Some(String::from_utf8_lossy(bytes).into_owned());
}

/// Host callback table plus the outbox it writes to.
pub(crate) struct Host {
    pub(super) outbox: Box<Outbox>,
    pub(super) api: Box<HostApi>,
}

impl Host {
    pub fn new() -> Host {
        let mut outbox = Box::<Outbox>::default();
        let api = Box::new(HostApi {
            ctx: &mut *outbox as *mut Outbox as *mut c_void,
            net_send: host_net_send,
            net_event: host_net_event,
            report_error: host_report_error,
            net_move: host_net_move,
        });
        Host { outbox, api }
    }
}

impl Simulation {
    pub(super) fn status(&mut self, ti: usize, st: i32, what: &str) -> Result<(), SimError> {
        if st == STATUS_OK {
            return Ok(());
        }
        let msg = match self.host.outbox.error.take() {
            Some(m) => format!("{what} at t = {} ms: {m}", self.t),
            None => format!(
                "{what} (entry point `{}`) returned status {st} at t = {} ms without reporting an error (the ABI allows 0 = ok and 1 = error with a message; the plugin is at fault)",
                entry_point(what),
                self.t
            ),
        };
        Err(SimError::Mechanism {
            mech: self.types[ti].ty.info.name.clone(),
            message: msg,
        })
    }
}

/// The ABI entry point a step of the protocol calls.
fn entry_point(what: &str) -> &'static str {
    match what {
        "INITIAL" => "init",
        "BREAKPOINT" => "current",
        "state update" => "state",
        "NET_RECEIVE" => "net_receive",
        "NET_RECEIVE INITIAL" => "net_init",
        "time horizon" => "time_horizon",
        _ => "?",
    }
}
