//! NET_RECEIVE and its INITIAL as methods of the context, and the event
//! statements `net_send` and `net_event`.

use super::{Ctx, Gen, Scope};
use crate::ast::*;

impl Gen<'_> {
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
        self.line("fn net_receive(&mut self, w: &mut [f64], flag: f64) {");
        self.indent += 1;
        self.block_body(
            &Block {
                locals: nr.body.locals.clone(),
                stmts: rest,
            },
            &mut sc,
        );
        self.indent -= 1;
        self.line("}");
        if let Some(b) = init {
            let mut sc = Scope::new(Ctx::NetInitial);
            sc.netargs = nr.args.clone();
            self.line("fn net_init(&mut self, w: &mut [f64]) {");
            self.indent += 1;
            self.block_body(b, &mut sc);
            self.indent -= 1;
            self.line("}");
        }
    }
}
