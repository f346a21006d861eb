// A service's sandbox as systemd reports it over D-Bus: the merged properties (unit file,
// drop-ins, transient settings) that `systemctl show` prints. Reference:
// org.freedesktop.systemd1(5), systemd.exec(5), systemd.service(5).
//
// The decoder reads the a{sv} answer of org.freedesktop.DBus.Properties.GetAll and accepts
// only the D-Bus type each property has in systemd 252: any other type is an error, never
// a guess. Properties it does not know are skipped; properties it needs but does not get
// keep their "not set" value.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <capinspect/caps.h>
#include <capinspect/error.h>

struct sd_bus_message;

namespace capinspect::auditor {

// SystemCallFilter= and RestrictAddressFamilies= as D-Bus gives them, (bas): an allow-list
// (true) or a deny-list (false) of names. Unset: a deny-list of nothing.
struct NameFilter {
    bool allow = false;
    std::vector<std::string> names;
    bool is_set() const { return allow || !names.empty(); }
};

// One command of ExecStartEx= and friends, a(sasasttttuii).
struct ExecCommand {
    std::string property;  // "ExecStart", "ExecStartPre", ... (without "Ex")
    std::string path;
    std::vector<std::string> argv;
    std::vector<std::string> flags;  // "privileged" (+), "no-setuid" (!), "ambient" (!!), "ignore-failure" (-)
    std::uint32_t pid = 0;           // the running command's, 0 when none (or not reported)
};

// The bounding set and RestrictNamespaces= report "unset" as all ones.
inline constexpr std::uint64_t all_ones = ~std::uint64_t{0};

struct UnitConfig {
    // org.freedesktop.systemd1.Unit
    std::string id;  // "x.service"
    std::string load_state, active_state, sub_state;
    std::string fragment_path;
    std::vector<std::string> dropin_paths;
    bool need_daemon_reload = false;
    std::uint64_t active_enter_timestamp = 0;  // µs since the epoch; 0: never

    // org.freedesktop.systemd1.Service
    std::string control_group;  // "/system.slice/x.service"; "" when it has no processes
    std::uint32_t main_pid = 0;
    std::uint64_t exec_main_start_timestamp = 0;  // µs since the epoch; 0: never
    std::string user;           // "" unset; with DynamicUser=, the unit's name
    std::optional<std::uint32_t> uid;  // the uid the running service got; nullopt: none
    bool dynamic_user = false;
    std::uint64_t bounding = all_ones;  // CapabilityBoundingSet
    std::uint64_t ambient = 0;          // AmbientCapabilities
    bool no_new_privileges = false;
    std::int32_t secure_bits = 0;
    NameFilter system_call_filter;
    std::vector<std::string> system_call_architectures;
    std::uint64_t restrict_namespaces = all_ones;  // CLONE_NEW* flags allowed
    NameFilter restrict_address_families;
    bool memory_deny_write_execute = false, lock_personality = false, restrict_realtime = false,
         restrict_suid_sgid = false, protect_kernel_modules = false, protect_kernel_tunables = false,
         protect_kernel_logs = false, protect_clock = false, protect_hostname = false,
         protect_control_groups = false, private_tmp = false, private_devices = false, private_network = false,
         private_users = false;
    std::string protect_system = "no", protect_home = "no";
    std::vector<std::string> inaccessible_paths, read_only_paths, read_write_paths;
    std::vector<ExecCommand> exec_commands;

    bool bounding_set() const { return bounding != all_ones; }
    bool namespaces_restricted() const { return restrict_namespaces != all_ones; }
};

// Decodes a GetAll answer (the message positioned before its a{sv}) of
// org.freedesktop.systemd1.Unit or .Service into `config`. An unexpected type is an
// EINVAL data error: "systemd gave PROPERTY as TYPE, not EXPECTED" (for `what`, the unit).
Result<bool> decode_unit_properties(sd_bus_message* reply, std::string_view what, UnitConfig& config);

// The value as `systemctl show` prints it: capability names ("cap_chown cap_kill"),
// yes/no, lists joined by blanks, "~" before a deny-list, RestrictNamespaces= as "yes",
// "no" or the namespaces allowed.
std::string format_caps(std::uint64_t mask);
std::string format_bool(bool b);
std::string format_list(const std::vector<std::string>& items);
std::string format_filter(const NameFilter& f);
std::string format_namespaces(std::uint64_t allowed);

}  // namespace capinspect::auditor
