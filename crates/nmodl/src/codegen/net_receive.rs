//! NET_RECEIVE and its INITIAL as methods of the context, and the event
//! statements `net_send`, `net_move` and `net_event`.

use super::{Ctx, Gen, Scope};
use crate::ast::*;

impl Gen<'_> {
    /// `net_receive(w, flag)` with the NET_RECEIVE arguments as `w`, and `net_init(w)`
    /// from its INITIAL.
    pub(super) fn emit_netreceive(&mut self) {
        let m = self.m;
        let nr = match &m.module.net_receive {
            Some(nr) => nr,
            None => return,
        };
        if nr.args.is_empty() {
            self.err(
                nr.line,
                "NET_RECEIVE needs at least one argument (the weight)",
            );
            return;
        }
        let mut init: Option<&Block> = None;
        let mut rest = Vec::new();
        for s in &nr.body.stmts {
            if let StmtKind::NetInitial(b) = &s.kind {
                if init.is_some() {
                    self.err(s.line, "a second INITIAL in NET_RECEIVE");
                }
                init = Some(b);
            } else {
                rest.push(s.clone());
            }
        }
        let mut sc = Scope::new(Ctx::NetReceive);
        sc.netargs = nr.args.clone();
        let body = Block {
            locals: nr.body.locals.clone(),
            stmts: rest,
        };
        self.braced(
            "fn net_receive(&mut self, w: &mut [f64], mut flag: f64) {",
            &body,
            &mut sc,
        );
        if let Some(b) = init {
            let mut sc = Scope::new(Ctx::NetInitial);
            sc.netargs = nr.args.clone();
            self.braced("fn net_init(&mut self, w: &mut [f64]) {", b, &mut sc);
        }
    }

    /// `net_send(delay, flag)`: a self-event at `t + delay`.
    pub(super) fn net_send(&mut self, args: &[Expr], line: Line, sc: &Scope) {
        if !matches!(sc.ctx, Ctx::NetReceive | Ctx::Initial | Ctx::NetInitial) {
            self.err(line, "net_send is only allowed in NET_RECEIVE and INITIAL");
            return;
        }
        if self.m.kind == MechKind::Density {
            self.err(line, "net_send in a SUFFIX mechanism");
            return;
        }
        if args.len() != 2 {
            self.err(line, "net_send takes two arguments (delay, flag)");
            return;
        }
        // nocmodl writes the delivery time as the text `t + <delay>`.
        let te = args[0]
            .clone()
            .prepend(BinOp::Add, Expr::Name("t".into(), line));
        let te = self.expr(&te, sc);
        let fl = self.expr(&args[1], sc);
        self.line(&format!(
            "{{ let te = {te}; let fl = {fl}; self.p.net_send(self.k, te, fl); }}"
        ));
    }

    /// `net_move(tnew)`: the instance's latest self event with flag 1 moved to
    /// `tnew` (an absolute time, as nocmodl passes it to `nrn_net_move`);
    /// NET_RECEIVE only, as nocmodl requires.
    pub(super) fn net_move(&mut self, args: &[Expr], line: Line, sc: &Scope) {
        if sc.ctx != Ctx::NetReceive {
            self.err(line, "net_move only allowed in NET_RECEIVE block");
            return;
        }
        if args.len() != 1 {
            self.err(line, "net_move takes one argument (the new time)");
            return;
        }
        let te = self.expr(&args[0], sc);
        self.line(&format!(
            "{{ let te = {te}; self.p.net_move(self.k, te); }}"
        ));
    }

    /// `net_event(t)`: a spike sent to the NetCons of this point process.
    pub(super) fn net_event(&mut self, args: &[Expr], line: Line, sc: &Scope) {
        if !matches!(sc.ctx, Ctx::NetReceive | Ctx::Initial | Ctx::NetInitial) {
            self.err(line, "net_event is only allowed in NET_RECEIVE");
            return;
        }
        if args.len() != 1 {
            self.err(line, "net_event takes one argument (the time)");
            return;
        }
        let te = self.expr(&args[0], sc);
        self.line(&format!(
            "{{ let te = {te}; self.p.net_event(self.k, te); }}"
        ));
    }
}
