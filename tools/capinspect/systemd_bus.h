// The system manager over D-Bus (sd-bus): which services exist and what their units say.
// Reference: org.freedesktop.systemd1(5), sd-bus(3). As root, as systemctl does, the
// manager's private socket (/run/systemd/private) is tried first, then the system bus
// (DBUS_SYSTEM_BUS_ADDRESS, when set, is the only address tried).
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <cerrno>

#include <capinspect/error.h>

#include "capinspect/unit_config.h"

struct sd_bus;

namespace capinspect::auditor {

// True for an error that says systemd cannot be asked at all (no connection, no systemd
// on the bus), as opposed to an error about one unit.
inline bool is_unreachable(const Error& e) { return !e.data || e.code == ENOTCONN; }

class SystemdBus {
public:
    // Connects. Errors: "cannot reach systemd on the system bus: REASON".
    static Result<SystemdBus> open();

    // The object path of a loaded unit, loading it from disk when it is not loaded yet
    // (a unit without a file then comes back with LoadState "not-found").
    Result<std::string> unit_path(const std::string& name);

    // Both interfaces' properties of the unit at `path` (`name` for messages).
    Result<UnitConfig> read_unit(const std::string& path, const std::string& name);
    // The same for each of `units` (name, object path), in their order, the calls sent
    // ahead of the replies.
    std::vector<Result<UnitConfig>> read_units(const std::vector<std::pair<std::string, std::string>>& units);

    // The names and object paths of the loaded services whose ActiveState is not
    // "inactive" (only those can have processes), by name.
    Result<std::vector<std::pair<std::string, std::string>>> list_services();

private:
    struct Unref {
        void operator()(sd_bus* bus) const;
    };
    explicit SystemdBus(sd_bus* bus) : bus_(bus) {}
    std::unique_ptr<sd_bus, Unref> bus_;
};

}  // namespace capinspect::auditor
