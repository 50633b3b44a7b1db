//! Where a process's resident memory is: `/proc/PID/smaps` grouped by what each mapping holds.
//!
//! Thread stacks are found from each thread's stack pointer (`/proc/PID/task/TID/syscall`:
//! an idle thread waits in a system call), glibc's per-thread malloc arenas from their 64 MiB
//! alignment, and libraries by name, with the OpenGL driver's (here Mesa's software renderer,
//! llvmpipe, with LLVM) counted apart because a machine with a GPU loads a different driver.
//! The driver's own heap cannot be told apart here; `heaptrack` does that (docs/benchmarks.md).

use std::collections::BTreeMap;

/// One mapping of `/proc/PID/smaps`.
struct Mapping {
    start: u64,
    end: u64,
    writable: bool,
    path: String,
    rss_kb: u64,
}

fn mappings(pid: u32) -> Vec<Mapping> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
    let mut list: Vec<Mapping> = Vec::new();
    for line in text.lines() {
        let mut fields = line.split_whitespace();
        let first = fields.next().unwrap_or_default();
        if let Some((start, end)) = first.split_once('-') {
            let (Ok(start), Ok(end)) =
                (u64::from_str_radix(start, 16), u64::from_str_radix(end, 16))
            else {
                continue;
            };
            let perms = fields.next().unwrap_or_default();
            let path = fields.nth(3).unwrap_or_default().to_string();
            list.push(Mapping {
                start,
                end,
                writable: perms.contains('w'),
                path,
                rss_kb: 0,
            });
        } else if first == "Rss:" {
            if let (Some(last), Some(kb)) = (list.last_mut(), fields.next()) {
                last.rss_kb = kb.parse().unwrap_or(0);
            }
        }
    }
    list
}

/// The stack pointer of every thread of `pid` that waits in a system call.
fn stack_pointers(pid: u32) -> Vec<u64> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .filter_map(Result::ok)
        .filter_map(|task| std::fs::read_to_string(task.path().join("syscall")).ok())
        .filter_map(|line| {
            // "nr arg1 .. arg6 sp pc": the stack pointer is the second to last field.
            let fields: Vec<&str> = line.split_whitespace().collect();
            let sp = fields.len().checked_sub(2).and_then(|i| fields.get(i))?;
            u64::from_str_radix(sp.trim_start_matches("0x"), 16).ok()
        })
        .collect()
}

/// Libraries any build of the window needs whatever the GPU: the C runtime, sound (linked),
/// and what winit loads for X11 and the keyboard. Every other library a running window has
/// mapped came with the OpenGL driver (libGL, Mesa, LLVM and their own dependencies).
const WINDOW_SYSTEM: [&str; 22] = [
    "libc.so",
    "libm.so",
    "ld-linux",
    "libgcc_s",
    "libasound",
    "libX11.so",
    "libX11-xcb",
    "libxcb.so",
    "libXau",
    "libXdmcp",
    "libbsd",
    "libmd.so",
    "libxkbcommon",
    "libxcb-xkb",
    "libXcursor",
    "libXi.so",
    "libXrandr",
    "libXrender",
    "libXext",
    "libXfixes",
    "libxcb-randr",
    "libdbus",
];

fn window_system(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    WINDOW_SYSTEM.iter().any(|lib| name.starts_with(lib))
}

/// Resident kB per kind of mapping, and the number of threads.
pub fn breakdown(pid: u32) -> (BTreeMap<&'static str, u64>, usize) {
    const ARENA_ALIGN: u64 = 64 << 20;
    let exe = std::fs::read_link(format!("/proc/{pid}/exe"))
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stacks = stack_pointers(pid);
    let mut kinds: BTreeMap<&'static str, u64> = BTreeMap::new();
    for m in mappings(pid) {
        let kind = if m.path == "[heap]" {
            "main malloc heap ([heap])"
        } else if m.path == "[stack]" || stacks.iter().any(|sp| (m.start..m.end).contains(sp)) {
            "thread stacks"
        } else if m.path.is_empty() && m.writable && m.start % ARENA_ALIGN == 0 {
            "per-thread malloc arenas"
        } else if m.path.is_empty() {
            "other anonymous (large allocations: Nudge, egui, Mesa)"
        } else if m.path == exe {
            "the nudge binary"
        } else if m.path.starts_with('/') && m.path.contains(".so") && window_system(&m.path) {
            "C runtime, X11 and sound libraries"
        } else if m.path.starts_with('/') && m.path.contains(".so") {
            "OpenGL driver libraries (libGL, Mesa llvmpipe, LLVM)"
        } else {
            "other (shared memory, vdso, fonts)"
        };
        *kinds.entry(kind).or_default() += m.rss_kb;
    }
    let threads = std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|d| d.count())
        .unwrap_or(0);
    (kinds, threads)
}

/// The names of `pid`'s threads, counted.
pub fn thread_names(pid: u32) -> BTreeMap<String, usize> {
    let mut names = BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return names;
    };
    for task in tasks.filter_map(Result::ok) {
        let name = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        *names.entry(name.trim().to_string()).or_default() += 1;
    }
    names
}
