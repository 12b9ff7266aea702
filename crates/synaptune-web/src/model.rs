//! The model as the page needs it (`GET /api/model`): connections with bmtool's
//! sliders, the protocol choices of bmtool's widgets, the request limits, the
//! gap-junction tab.

use crate::state::{is_parameter, App, Net, PARAM_LIMIT};
use mech_api::FieldKind;
use serde_json::{json, Value};
use tuner_opt::{Connection, Convention};

/// bmtool's input-frequency choices (Hz), `InteractiveTuner` and `launch_tk_gui`.
pub const FREQS: [f64; 16] = tuner_opt::BMTOOL_FREQUENCIES;
/// bmtool's recovery-delay choices (ms).
pub const DELAYS: [f64; 6] = [125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0];
/// bmtool's continuous-input duration choices (ms).
pub const DURATIONS: [f64; 7] = [100.0, 300.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0];
/// bmtool's initial frequency, delay and duration.
pub const FREQ0: f64 = 50.0;
/// Initial recovery delay (ms).
pub const DELAY0: f64 = 250.0;
/// Initial duration (ms).
pub const DURATION0: f64 = 300.0;
/// bmtool's gap slider: `FloatLogSlider(value=1e-3, base=10, min=-6, max=0, step=0.1)`.
pub const GAP_LOG10_MIN: f64 = -6.0;
/// Upper end of the gap slider (log10 µS).
pub const GAP_LOG10_MAX: f64 = 0.0;
/// Step of the gap slider (decades).
pub const GAP_LOG10_STEP: f64 = 0.1;
/// Initial conductance (µS).
pub const GAP_G0: f64 = 1e-3;

/// A slider as bmtool's `InteractiveTuner` makes it from the value the connection
/// starts with: 0…20·v in steps of v/5, 0…1000 in steps of 1 when v is 0; for a
/// negative v (ipywidgets refuses min > max) `launch_tk_gui`'s −20|v|…20|v|.
pub fn slider(v: f64) -> (f64, f64, f64) {
    if v == 0.0 {
        (0.0, 1000.0, 1.0)
    } else if v > 0.0 {
        (0.0, 20.0 * v, v / 5.0)
    } else {
        (-20.0 * v.abs(), 20.0 * v.abs(), v.abs() / 5.0)
    }
}

/// A connection (current values `c`, as loaded `o`) with its sliders.
fn connection_json(app: &App, c: &Connection, o: &Connection) -> Value {
    let mech = app.mechanism(&c.spec_settings.level_of_detail);
    let mut params = Vec::new();
    let mut ignored = Vec::new();
    for (k, v) in c.numeric_params() {
        match mech {
            Some(m) if is_parameter(m, &k) => {
                let initial = o
                    .numeric_params()
                    .into_iter()
                    .find(|(n, _)| *n == k)
                    .map_or(v, |(_, x)| x);
                let (min, max, step) = slider(initial);
                let f = &m.info.fields[m.info.field_index(&k).expect("checked")];
                params.push(json!({
                    "name": k, "units": f.units, "value": v, "initial": initial,
                    "min": min, "max": max, "step": step,
                }));
            }
            _ => ignored.push(k),
        }
    }
    let variables: Vec<String> = mech
        .map(|m| {
            m.info
                .fields
                .iter()
                .filter(|f| f.kind != FieldKind::Parameter)
                .map(|f| f.name.clone())
                .collect()
        })
        .unwrap_or_default();
    json!({
        "name": c.name,
        "mechanism": c.spec_settings.level_of_detail,
        "known_mechanism": mech.is_some(),
        "post_cell": c.spec_settings.post_cell,
        "sec_id": c.spec_settings.sec_id,
        "sec_x": c.spec_settings.sec_x,
        "vclamp_amp": c.spec_settings.vclamp_amp,
        "vclamp_amp_initial": o.spec_settings.vclamp_amp,
        "params": params,
        "ignored": ignored,
        "variables": variables,
        "record": app.default_record(mech.map(|m| m.as_ref())),
    })
}

/// The model as the page needs it, for one network.
pub fn model_json(app: &App, network: &str, net: &Net) -> Value {
    let g = &net.settings.general;
    let mut conns: Vec<Value> = net
        .settings
        .connections
        .iter()
        .zip(&net.original.connections)
        .map(|(c, o)| connection_json(app, c, o))
        .collect();
    // bmtool's dropdowns list connections sorted by name.
    conns.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    json!({
        "source": app.source.path().display().to_string(),
        "convention": match app.convention { Convention::Bmtool => "bmtool", _ => "default" },
        "networks": app.networks,
        "network": if network.is_empty() { Value::Null } else { json!(network) },
        "connections": conns,
        "default_connection": net.default_connection,
        "vclamp": app.vclamp(),
        "general": {
            "tstart": g.tstart, "tdur": g.tdur, "dt": g.dt, "celsius": g.celsius,
            "v_init": g.v_init, "delay": g.delay, "weight": g.weight,
            "threshold": g.threshold, "rise_interval": [g.rise_interval.0, g.rise_interval.1],
            "vclamp": g.vclamp,
        },
        "choices": {
            "freqs": FREQS, "freq": FREQ0,
            "delays": DELAYS, "delay": DELAY0,
            "durations": DURATIONS, "duration": DURATION0,
        },
        "limits": limits_json(),
        "gap": gap_json(app),
    })
}

/// The gap-junction tab: its connections, general settings and bmtool's slider.
fn gap_json(app: &App) -> Option<Value> {
    app.gap.as_ref().map(|g| {
        json!({
            "origin": g.origin,
            "connections": g.settings.connections.iter().map(|c| json!({
                "name": c.name, "cell": c.cell, "sec_id": c.sec_id, "sec_x": c.sec_x,
                "iclamp_amp": c.iclamp_amp.unwrap_or(g.settings.general.iclamp_amp),
            })).collect::<Vec<_>>(),
            "general": {
                "tstart": g.settings.general.tstart, "tdur": g.settings.general.tdur,
                "dt": g.settings.general.dt, "v_init": g.settings.general.v_init,
            },
            "slider": {"log10_min": GAP_LOG10_MIN, "log10_max": GAP_LOG10_MAX,
                       "log10_step": GAP_LOG10_STEP, "g": GAP_G0},
        })
    })
}

fn limits_json() -> Value {
    use crate::request::limits::*;
    json!({
        "freq": [0.0, FREQ_MAX], "delay": [0.0, DELAY_MAX], "duration": [0.0, DURATION_MAX],
        "vclamp_amp": [VCLAMP_AMP.0, VCLAMP_AMP.1], "g": [0.0, G_MAX], "freqs": FREQS_MAX,
        "param_abs": PARAM_LIMIT,
    })
}
