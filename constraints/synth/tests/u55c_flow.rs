//! The Alveo U55C flow (`constraints/u55c/`) as far as it can be checked without Vivado: the
//! files the Tcl script reads exist (or are the generated RTL), the wrapper connects every port
//! of the generated `msm_card` with its width, the block design uses only ports the wrapper
//! has (and all of them), and the wrapper lints with the card under `verilator -Wall`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use msm_hw::verilog::{units, Dir, Port};

const WRAPPER: &str = "constraints/u55c/msm_card_u55c.v";
const TCL: &str = "constraints/u55c/build.tcl";
const WAIVERS: &str = "hw/lint/waivers.vlt";
/// The one input the flow does not find in the repository: `make rtl CONFIG=u55c` makes it.
const GENERATED_RTL: &str = "build/rtl/u55c/msm_card.v";
const CARD: &str = "msm_card";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The generated card of the u55c configuration (about 2 s; shared by the tests).
fn card() -> &'static (String, Vec<Port>) {
    static CARD_UNIT: OnceLock<(String, Vec<Port>)> = OnceLock::new();
    CARD_UNIT.get_or_init(|| {
        let unit = units(&msm_spec::config::U55C)
            .into_iter()
            .find(|u| u.name == CARD);
        let unit = unit.expect("units(U55C) has msm_card");
        (unit.verilog, unit.ports)
    })
}

// ---- A small reader for the wrapper's plain Verilog-2005 ----

/// Tokens with comments and `(* attributes *)` removed: identifiers, numbers (sized literals
/// whole) and single punctuation characters.
fn tokens(src: &str) -> Vec<String> {
    let mut text = String::new();
    let mut rest = src;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("//") {
            rest = r.find('\n').map_or("", |i| &r[i..]);
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.find("*/").map_or("", |i| &r[i + 2..]);
        } else if let Some(r) = rest.strip_prefix("(*").filter(|r| !r.starts_with(')')) {
            rest = r.find("*)").map_or("", |i| &r[i + 2..]);
        } else {
            let c = rest.chars().next().unwrap();
            text.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let mut tok = c.to_string();
        if c.is_ascii_alphanumeric() || c == '_' || c == '\'' {
            while let Some(&n) = chars.peek() {
                if !(n.is_ascii_alphanumeric() || n == '_' || n == '$' || n == '\'') {
                    break;
                }
                tok.push(n);
                chars.next();
            }
        }
        out.push(tok);
    }
    out
}

fn is_ident(t: &str) -> bool {
    t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
}

/// A module of the wrapper file: its ports in order, the width of every port and net, and the
/// connections of each instance of `msm_card` (`.port(signal)`).
#[derive(Default)]
struct Module {
    ports: Vec<(String, Dir, usize)>,
    widths: BTreeMap<String, usize>,
    card_connections: Vec<(String, Vec<String>)>,
}

/// `[msb:lsb]` at `toks[i]`: the width and the index after `]`.
fn range(toks: &[String], i: usize) -> (usize, usize) {
    let num = |t: &String| -> usize {
        t.parse()
            .unwrap_or_else(|_| panic!("{WRAPPER}: range bound `{t}` is not a decimal"))
    };
    assert!(
        toks[i + 2] == ":" && toks[i + 4] == "]",
        "{WRAPPER}: malformed range"
    );
    (num(&toks[i + 1]).abs_diff(num(&toks[i + 3])) + 1, i + 5)
}

/// Skips to the next `,` or `;` outside brackets; returns its index.
fn skip_expr(toks: &[String], mut i: usize) -> usize {
    let mut depth = 0i32;
    while i < toks.len() {
        match toks[i].as_str() {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => depth -= 1,
            "," | ";" if depth == 0 => return i,
            _ => {}
        }
        i += 1;
    }
    i
}

fn modules(src: &str) -> BTreeMap<String, Module> {
    let toks = tokens(src);
    let mut out = BTreeMap::new();
    let mut i = 0;
    while let Some(start) = toks[i..].iter().position(|t| t == "module").map(|p| p + i) {
        let name = toks[start + 1].clone();
        let end = start + toks[start..].iter().position(|t| t == "endmodule").unwrap();
        let body = &toks[start + 2..end];
        let mut m = Module::default();
        // ANSI header: `( input wire [w] a, b, output ... )`.
        assert_eq!(
            body[0], "(",
            "{WRAPPER}: {name}: expected an ANSI port list"
        );
        let (mut j, mut dir, mut width) = (1, None, 1);
        while body[j] != ")" {
            match body[j].as_str() {
                "input" => (dir, width) = (Some(Dir::In), 1),
                "output" => (dir, width) = (Some(Dir::Out), 1),
                "wire" | "reg" | "," => {}
                "[" => {
                    let (w, next) = range(body, j);
                    (width, j) = (w, next - 1);
                }
                t if is_ident(t) => {
                    let d = dir.unwrap_or_else(|| panic!("{WRAPPER}: {name}.{t}: no direction"));
                    m.ports.push((t.to_string(), d, width));
                    m.widths.insert(t.to_string(), width);
                }
                t => panic!("{WRAPPER}: {name}: unexpected `{t}` in the port list"),
            }
            j += 1;
        }
        // Body: net declarations, and instances of the card.
        while j < body.len() {
            match body[j].as_str() {
                "wire" | "reg" => {
                    j += 1;
                    let mut width = 1;
                    if body[j] == "[" {
                        (width, j) = range(body, j);
                    }
                    loop {
                        m.widths.insert(body[j].clone(), width);
                        j = skip_expr(body, j + 1);
                        if body[j] == ";" {
                            break;
                        }
                        j += 1;
                    }
                }
                CARD if is_ident(&body[j + 1]) && body[j + 2] == "(" => {
                    j += 3;
                    while body[j] != ")" {
                        let named = body[j] == "." && body[j + 2] == "(";
                        assert!(named, "{WRAPPER}: {name}: connect the card's ports by name");
                        let (mut k, mut depth) = (j + 3, 1);
                        while depth > 0 {
                            depth += match body[k].as_str() {
                                "(" => 1,
                                ")" => -1,
                                _ => 0,
                            };
                            k += 1;
                        }
                        let signal = body[j + 3..k - 1].to_vec();
                        m.card_connections.push((body[j + 1].clone(), signal));
                        j = if body[k] == "," { k + 1 } else { k };
                    }
                }
                _ => {}
            }
            j += 1;
        }
        out.insert(name, m);
        i = end + 1;
    }
    out
}

// ---- A small reader for the Tcl script ----

/// Logical lines (continuations joined) without comments.
fn tcl_lines(src: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for line in src.lines() {
        if cur.is_empty() && line.trim_start().starts_with('#') {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(head) => cur.push_str(head),
            None => {
                cur.push_str(line);
                lines.push(std::mem::take(&mut cur));
            }
        }
    }
    lines
}

/// The arguments of every `[cmd ...]` in `src`, options left out.
fn bracket_args<'a>(src: &'a str, cmd: &str) -> Vec<&'a str> {
    let open = format!("[{cmd} ");
    let mut out = Vec::new();
    for (at, _) in src.match_indices(&open) {
        let rest = &src[at + open.len()..];
        let args = &rest[..rest.find(']').expect("closing bracket")];
        out.extend(args.split_whitespace().filter(|a| !a.starts_with('-')));
    }
    out
}

#[test]
fn tcl_reads_only_files_in_the_repo_or_generated() {
    let script_dir = Path::new(TCL).parent().unwrap();
    let mut vars = BTreeMap::new();
    let mut reads = BTreeSet::new();
    // Commands that read a file, and their options that take a value.
    const READERS: [&str; 10] = [
        "read_verilog",
        "read_vhdl",
        "read_xdc",
        "read_ip",
        "read_bd",
        "read_edif",
        "read_checkpoint",
        "add_files",
        "import_files",
        "source",
    ];
    const VALUED: [&str; 6] = [
        "-fileset",
        "-library",
        "-cells",
        "-ref",
        "-mode",
        "-of_objects",
    ];
    let resolve = |arg: &str, vars: &BTreeMap<String, String>| -> Option<String> {
        let mut s = arg.to_string();
        let mut names: Vec<_> = vars.iter().collect();
        names.sort_by_key(|(k, _)| std::cmp::Reverse(k.len())); // $rtl before a $r
        for (k, v) in names {
            s = s
                .replace(&format!("${{{k}}}"), v)
                .replace(&format!("${k}"), v);
        }
        (!s.contains('$') && !s.contains('[')).then(|| s.trim_start_matches('/').to_string())
    };
    for line in tcl_lines(&read(TCL)) {
        let words: Vec<&str> = line.split_whitespace().collect();
        if let ["set", name, value, ..] = words[..] {
            if line.contains("[info script]") {
                // The repository root: two levels up from the script's directory.
                assert!(
                    line.contains("[file dirname [info script]] .. .."),
                    "{TCL}: {line}"
                );
                assert_eq!(script_dir.components().count(), 2);
                vars.insert(name.to_string(), String::new());
            } else if let Some(v) = resolve(value, &vars) {
                vars.entry(name.to_string()).or_insert(v);
            }
        }
        for (w, word) in words.iter().enumerate() {
            let word = word.trim_start_matches('[');
            if !READERS.contains(&word) {
                continue;
            }
            let mut args = words[w + 1..].iter();
            while let Some(arg) = args.next() {
                if VALUED.contains(arg) {
                    args.next();
                } else if arg.starts_with('-') {
                    continue;
                } else if arg.starts_with("[make_wrapper") {
                    break; // the block design's wrapper, which Vivado writes
                } else {
                    let path = resolve(arg.trim_end_matches(']'), &vars)
                        .unwrap_or_else(|| panic!("{TCL}: cannot resolve `{arg}` in: {line}"));
                    let exists = repo().join(&path).is_file();
                    assert!(
                        exists || path == GENERATED_RTL,
                        "{TCL} reads {path}: not in the repo"
                    );
                    reads.insert(path);
                    break;
                }
            }
        }
    }
    for want in [WRAPPER, GENERATED_RTL, "constraints/u55c/u55c.xdc"] {
        assert!(
            reads.contains(want),
            "{TCL} does not read {want} (reads {reads:?})"
        );
    }
}

#[test]
fn wrapper_connects_every_card_port_with_its_width() {
    let (_, ports) = card();
    let mods = modules(&read(WRAPPER));
    let top = &mods["msm_card_u55c"];
    let connected: BTreeMap<&str, &Vec<String>> = top
        .card_connections
        .iter()
        .map(|(p, e)| (p.as_str(), e))
        .collect();
    assert_eq!(
        connected.len(),
        top.card_connections.len(),
        "a card port connected twice"
    );
    let card_ports: BTreeSet<&str> = ports.iter().map(|p| p.name.as_str()).collect();
    let missing: Vec<_> = card_ports
        .iter()
        .filter(|p| !connected.contains_key(*p))
        .collect();
    let unknown: Vec<_> = connected
        .keys()
        .filter(|p| !card_ports.contains(*p))
        .collect();
    assert!(
        missing.is_empty(),
        "card ports the wrapper leaves open: {missing:?}"
    );
    assert!(
        unknown.is_empty(),
        "wrapper connects ports the card lacks: {unknown:?}"
    );
    for port in ports {
        let expr = connected[port.name.as_str()];
        let [signal] = &expr[..] else {
            panic!("{}: connect a plain signal, not {expr:?}", port.name);
        };
        let width = top
            .widths
            .get(signal)
            .unwrap_or_else(|| panic!("{signal} undeclared"));
        assert_eq!(*width, port.width, "{} ({}) width", port.name, signal);
        let input = top
            .ports
            .iter()
            .any(|(n, d, _)| n == signal && *d == Dir::In);
        assert!(
            !(port.dir == Dir::Out && input),
            "card output {} drives an input",
            port.name
        );
    }
}

#[test]
fn tcl_uses_only_wrapper_ports_and_all_of_them() {
    let mods = modules(&read(WRAPPER));
    let tcl = read(TCL);
    // Cells made from the wrapper file's modules: `create_bd_cell -type module -reference M C`.
    let mut cells: BTreeMap<String, String> = BTreeMap::new();
    for line in tcl_lines(&tcl) {
        let words: Vec<&str> = line.split_whitespace().collect();
        if let Some(r) = words.iter().position(|w| *w == "-reference") {
            let module = words[r + 1];
            assert!(
                mods.contains_key(module),
                "{TCL}: no module {module} in {WRAPPER}"
            );
            let cell = words[r + 2].trim_end_matches(']');
            cells.insert(cell.to_string(), module.to_string());
        }
    }
    for module in mods.keys() {
        assert!(
            cells.values().any(|m| m == module),
            "{TCL} does not place {module}"
        );
    }
    // Pins by name; interfaces (pins, address spaces, address segments) by port prefix.
    let mut refs: Vec<(bool, &str)> = Vec::new();
    refs.extend(
        bracket_args(&tcl, "get_bd_pins")
            .into_iter()
            .map(|a| (false, a)),
    );
    for cmd in ["get_bd_intf_pins", "get_bd_addr_spaces", "get_bd_addr_segs"] {
        refs.extend(bracket_args(&tcl, cmd).into_iter().map(|a| (true, a)));
    }
    let mut used: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (intf, arg) in refs {
        let mut parts = arg.split('/');
        let (Some(cell), Some(name)) = (parts.next(), parts.next()) else {
            continue;
        };
        let Some(module) = cells.get(cell) else {
            continue;
        };
        let ports = &mods[module].ports;
        let matching: Vec<&String> = if intf {
            let prefix = format!("{name}_");
            ports
                .iter()
                .map(|p| &p.0)
                .filter(|p| p.starts_with(&prefix))
                .collect()
        } else {
            ports.iter().map(|p| &p.0).filter(|p| *p == name).collect()
        };
        let what = if intf { "interface" } else { "port" };
        assert!(
            !matching.is_empty(),
            "{TCL}: {module} has no {what} `{name}` ({arg})"
        );
        assert!(
            !intf || matching.len() > 1,
            "{TCL}: `{name}` is one port, not an interface"
        );
        used.entry(module)
            .or_default()
            .extend(matching.into_iter().cloned());
    }
    for (name, module) in &mods {
        let done = used.get(name.as_str());
        let open: Vec<&String> = (module.ports.iter().map(|p| &p.0))
            .filter(|p| done.is_none_or(|u| !u.contains(*p)))
            .collect();
        assert!(
            open.is_empty(),
            "{TCL} leaves {name}'s ports unconnected: {open:?}"
        );
    }
}

#[test]
fn wrapper_lints_with_the_card() {
    // make test runs after make deps, which installs Verilator: a missing one is a failure.
    Command::new("verilator")
        .arg("--version")
        .output()
        .expect("`verilator` is not on PATH: run `make deps`");
    struct TempDir(PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
    let dir = TempDir(std::env::temp_dir().join(format!("msm_u55c_flow_{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).unwrap();
    // The card under its own name, so that hw/lint/waivers.vlt covers it as in `make rtl`;
    // the wrapper under a name those waivers (`*msm_card*.v`) do not match: it lints unwaived.
    let card_v = dir.0.join("msm_card.v");
    let wrapper_v = dir.0.join("u55c_wrapper.v");
    std::fs::write(&card_v, &card().0).unwrap();
    std::fs::write(&wrapper_v, read(WRAPPER)).unwrap();
    // Verilator lints only what the top elaborates: each module of the wrapper file once.
    for (name, module) in modules(&read(WRAPPER)) {
        let mut cmd = Command::new("verilator");
        cmd.args(["--lint-only", "-Wall", "--top-module", &name]);
        cmd.arg(repo().join(WAIVERS));
        if !module.card_connections.is_empty() {
            cmd.arg(&card_v);
        }
        let out = cmd.arg(&wrapper_v).output().expect("run verilator");
        assert!(
            out.status.success(),
            "verilator -Wall on {name}:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
