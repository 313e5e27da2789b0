//! An estimate of how many compilation units a first build has, for the progress bar, from
//! `cargo metadata`: the packages the app reaches through normal and build dependencies on the
//! host, plus one unit per build script and per extra target of the app itself. (cargo's exact
//! unit graph, `--unit-graph`, needs nightly.) Later builds use the count of the previous one.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use cargo_metadata::{DependencyKind, Metadata, PackageId, TargetKind};
use tokio::process::Command;

use crate::process;
use crate::request::BuildRequest;

/// Runs `cargo metadata` for the request and estimates its unit count; `None` if cargo fails.
pub(crate) async fn estimate_units(request: &BuildRequest) -> Option<u32> {
    let mut cmd = Command::new("cargo");
    if let Some(toolchain) = &request.profile.toolchain {
        cmd.arg(format!("+{toolchain}"));
    }
    cmd.args(["metadata", "--format-version", "1"]);
    if let Some(host) = &request.profile.host {
        cmd.args(["--filter-platform", host]);
    }
    cmd.current_dir(&request.manifest_dir);
    let out = process::output(cmd, Duration::from_secs(120)).await.ok()?;
    if !out.status.success() {
        return None;
    }
    let metadata: Metadata = serde_json::from_slice(&out.stdout).ok()?;
    count_units(&metadata, request.package.as_deref())
}

/// Units reachable from the root package (`package`, else the workspace's root package, else
/// every workspace member).
fn count_units(metadata: &Metadata, package: Option<&str>) -> Option<u32> {
    let resolve = metadata.resolve.as_ref()?;
    let roots: Vec<&PackageId> = match (package, &resolve.root) {
        (Some(name), _) => metadata
            .workspace_packages()
            .into_iter()
            .filter(|p| p.name.as_str() == name)
            .map(|p| &p.id)
            .collect(),
        (None, Some(root)) => vec![root],
        (None, None) => metadata.workspace_members.iter().collect(),
    };
    let nodes: HashMap<&PackageId, _> = resolve.nodes.iter().map(|n| (&n.id, n)).collect();
    let mut seen: HashSet<&PackageId> = HashSet::new();
    let mut stack = roots.clone();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let Some(node) = nodes.get(id) else { continue };
        for dep in &node.deps {
            let used = dep.dep_kinds.iter().any(|k| k.kind != DependencyKind::Development);
            if used {
                stack.push(&dep.pkg);
            }
        }
    }
    let mut units = 0u32;
    for pkg in metadata.packages.iter().filter(|p| seen.contains(&p.id)) {
        let has = |kind: TargetKind| pkg.targets.iter().filter(|t| t.kind.contains(&kind)).count() as u32;
        // A build script is compiled (one artifact); its run is not an artifact.
        units += 1 + has(TargetKind::CustomBuild);
        if roots.contains(&&pkg.id) {
            // The root's binaries are units of their own next to its library.
            let lib = u32::from(pkg.targets.iter().any(|t| t.is_lib() || t.is_proc_macro()));
            units += (lib + has(TargetKind::Bin)).saturating_sub(1);
        }
    }
    Some(units)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workspace root `app` (lib + bin, build script) using `dep` normally and `devdep` only
    /// for tests; `dep` uses `shared` as a build dependency.
    const METADATA: &str = r#"{
      "packages": [
        {"name":"app","version":"0.1.0","id":"path+file:///w#app@0.1.0","source":null,"dependencies":[],
         "targets":[{"kind":["lib"],"crate_types":["lib"],"name":"app","src_path":"/w/src/lib.rs"},
                    {"kind":["bin"],"crate_types":["bin"],"name":"app","src_path":"/w/src/main.rs"},
                    {"kind":["custom-build"],"crate_types":["bin"],"name":"build-script-build","src_path":"/w/build.rs"}],
         "features":{},"manifest_path":"/w/Cargo.toml"},
        {"name":"dep","version":"1.0.0","id":"registry+x#dep@1.0.0","source":"registry+x","dependencies":[],
         "targets":[{"kind":["lib"],"crate_types":["lib"],"name":"dep","src_path":"/r/dep/src/lib.rs"}],
         "features":{},"manifest_path":"/r/dep/Cargo.toml"},
        {"name":"shared","version":"1.0.0","id":"registry+x#shared@1.0.0","source":"registry+x","dependencies":[],
         "targets":[{"kind":["lib"],"crate_types":["lib"],"name":"shared","src_path":"/r/s/src/lib.rs"},
                    {"kind":["custom-build"],"crate_types":["bin"],"name":"build-script-build","src_path":"/r/s/build.rs"}],
         "features":{},"manifest_path":"/r/s/Cargo.toml"},
        {"name":"devdep","version":"1.0.0","id":"registry+x#devdep@1.0.0","source":"registry+x","dependencies":[],
         "targets":[{"kind":["lib"],"crate_types":["lib"],"name":"devdep","src_path":"/r/d/src/lib.rs"}],
         "features":{},"manifest_path":"/r/d/Cargo.toml"}
      ],
      "workspace_members":["path+file:///w#app@0.1.0"],
      "workspace_default_members":["path+file:///w#app@0.1.0"],
      "resolve":{"root":"path+file:///w#app@0.1.0","nodes":[
        {"id":"path+file:///w#app@0.1.0","dependencies":[],"features":[],"deps":[
          {"name":"dep","pkg":"registry+x#dep@1.0.0","dep_kinds":[{"kind":null,"target":null}]},
          {"name":"devdep","pkg":"registry+x#devdep@1.0.0","dep_kinds":[{"kind":"dev","target":null}]}]},
        {"id":"registry+x#dep@1.0.0","dependencies":[],"features":[],"deps":[
          {"name":"shared","pkg":"registry+x#shared@1.0.0","dep_kinds":[{"kind":"build","target":null}]}]},
        {"id":"registry+x#shared@1.0.0","dependencies":[],"features":[],"deps":[]},
        {"id":"registry+x#devdep@1.0.0","dependencies":[],"features":[],"deps":[]}]},
      "target_directory":"/w/target","version":1,"workspace_root":"/w","metadata":null
    }"#;

    #[test]
    fn counts_reachable_units_without_dev_dependencies() {
        let metadata: Metadata = serde_json::from_str(METADATA).unwrap();
        // app: lib + bin + build script = 3; dep = 1; shared: lib + build script = 2.
        assert_eq!(count_units(&metadata, None), Some(6));
        assert_eq!(count_units(&metadata, Some("app")), Some(6));
        assert_eq!(count_units(&metadata, Some("nope")), Some(0));
    }
}
