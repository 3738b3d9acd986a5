//! Running the binary as an unprivileged user (`nobody`, through `setpriv`),
//! for the tests of permissions: tests run as root, who reads and writes
//! anything. Without root or setpriv, or with a checkout `nobody` cannot read,
//! [`tonghop`] gives `None` and the test says it is skipped.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use crate::common;

/// The user and group the binary runs as.
pub const NOBODY: u32 = 65534;

fn setpriv(program: &Path) -> Command {
    let mut cmd = Command::new("setpriv");
    cmd.args([format!("--reuid={NOBODY}"), format!("--regid={NOBODY}"), "--clear-groups".to_string()]).arg(program);
    cmd
}

/// The `tonghop` binary run as `nobody`, in the crate root; `None` (with the
/// reason on stderr) when that is not possible here.
pub fn tonghop(test: &str) -> Option<Command> {
    let is_root = Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let bin = Path::new(env!("CARGO_BIN_EXE_tonghop"));
    let works = is_root
        && setpriv(bin).arg("--version").output().is_ok_and(|o| o.status.success())
        && setpriv(Path::new("/bin/cat"))
            .arg(common::crate_dir().join("report_templates/schema.toml"))
            .output()
            .is_ok_and(|o| o.status.success());
    if !works {
        common::tools::say_skipped(test, "needs root, setpriv and a checkout the user nobody can read");
        return None;
    }
    let mut cmd = setpriv(bin);
    cmd.current_dir(common::crate_dir());
    Some(cmd)
}

/// Lets everyone enter and read `path` (a temporary folder is private to root).
pub fn readable_by_all(path: &Path) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// Gives `path` (a folder) to `nobody`, to write in.
pub fn owned_by_nobody(path: &Path) {
    std::fs::create_dir_all(path).expect("mkdir");
    std::os::unix::fs::chown(path, Some(NOBODY), Some(NOBODY)).expect("chown");
}
