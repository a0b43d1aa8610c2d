//! `rtl <config> <out-dir>`: writes the Verilog of every unit of a configuration.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(name), Some(out)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: rtl <config: sim|u55c|ecp5> <out-dir>");
        std::process::exit(2);
    };
    let Some(cfg) = msm_hw::config::by_name(name) else {
        eprintln!("unknown config {name:?}");
        std::process::exit(2);
    };
    let dir = std::path::Path::new(out);
    std::fs::create_dir_all(dir).expect("create output dir");
    for unit in msm_hw::verilog::units(&cfg) {
        let path = dir.join(format!("{}.v", unit.name));
        std::fs::write(&path, &unit.verilog).expect("write Verilog");
        println!("{} (latency {} cycles)", path.display(), unit.latency);
    }
}
