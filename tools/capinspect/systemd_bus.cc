#include "capinspect/systemd_bus.h"

#include <systemd/sd-bus.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace capinspect::auditor {
namespace {

constexpr const char* destination = "org.freedesktop.systemd1";
constexpr const char* manager_path = "/org/freedesktop/systemd1";
constexpr const char* manager_interface = "org.freedesktop.systemd1.Manager";
constexpr std::uint64_t call_timeout_usec = 10'000'000;

// An sd_bus_error freed at the end of its scope.
struct BusError {
    sd_bus_error e = SD_BUS_ERROR_NULL;
    ~BusError() { sd_bus_error_free(&e); }
    // The manager's words when it gave any, else strerror.
    std::string text(int r) const {
        if (e.message && *e.message) return e.message;
        return std::strerror(-r);
    }
};

// A D-Bus error about the bus, not about the unit: no systemd to answer.
bool bus_level(const sd_bus_error* e) {
    return sd_bus_error_has_names(e, "org.freedesktop.DBus.Error.ServiceUnknown",
                                  "org.freedesktop.DBus.Error.NameHasNoOwner", "org.freedesktop.DBus.Error.NoReply",
                                  "org.freedesktop.DBus.Error.Timeout", "org.freedesktop.DBus.Error.Disconnected",
                                  "org.freedesktop.DBus.Error.AccessDenied") ||
           (e->name && std::strncmp(e->name, "org.freedesktop.DBus.Error.Spawn.", 33) == 0);
}

// The failure of a call: the bus itself (no systemd, no connection) or the request.
Failure call_failure(int r, const BusError& error, const std::string& what) {
    if (bus_level(&error.e)) return Failure(Error{ENOTCONN, "systemd is not on the system bus: " + error.text(r), true});
    if (!error.e.name && (r == -ENOTCONN || r == -ECONNREFUSED || r == -ENOENT || r == -ECONNRESET || r == -ETIMEDOUT))
        return fail(-r, "cannot reach systemd on the system bus");
    return fail_data(what + ": " + error.text(r));
}

struct Message {
    sd_bus_message* m = nullptr;
    ~Message() { sd_bus_message_unref(m); }
};

}  // namespace

void SystemdBus::Unref::operator()(sd_bus* bus) const { sd_bus_flush_close_unref(bus); }

Result<SystemdBus> SystemdBus::open() {
    sd_bus* bus = nullptr;
    int r = 0;
    if (geteuid() == 0 && !std::getenv("DBUS_SYSTEM_BUS_ADDRESS")) {
        // The manager's own socket: no bus daemon in between (systemctl does the same).
        if ((r = sd_bus_new(&bus)) >= 0 && (r = sd_bus_set_address(bus, "unix:path=/run/systemd/private")) >= 0 &&
            (r = sd_bus_start(bus)) >= 0) {
            sd_bus_set_method_call_timeout(bus, call_timeout_usec);
            return SystemdBus(bus);
        }
        sd_bus_unref(bus);
        bus = nullptr;
    }
    r = sd_bus_open_system(&bus);
    if (r < 0) return fail(-r, "cannot reach systemd on the system bus");
    sd_bus_set_method_call_timeout(bus, call_timeout_usec);
    return SystemdBus(bus);
}

Result<std::string> SystemdBus::unit_path(const std::string& name) {
    for (const char* method : {"GetUnit", "LoadUnit"}) {
        BusError error;
        Message reply;
        int r = sd_bus_call_method(bus_.get(), destination, manager_path, manager_interface, method, &error.e,
                                   &reply.m, "s", name.c_str());
        if (r < 0) {
            if (sd_bus_error_has_name(&error.e, "org.freedesktop.systemd1.NoSuchUnit")) continue;
            return call_failure(r, error, name);
        }
        const char* path = nullptr;
        r = sd_bus_message_read(reply.m, "o", &path);
        if (r < 0 || !path) return fail_data("systemd's answer to " + std::string(method) + " is malformed");
        return std::string(path);
    }
    return fail_data("unit " + name + " not found");
}

namespace {

// One GetAll call: its slot while in flight, its reply when it comes.
struct Pending {
    sd_bus_slot* slot = nullptr;
    sd_bus_message* reply = nullptr;
    int sent = 0;  // the send's result; < 0: never sent
    ~Pending() {
        sd_bus_slot_unref(slot);  // cancels the call if no reply came
        sd_bus_message_unref(reply);
    }
    static int on_reply(sd_bus_message* m, void* userdata, sd_bus_error*) {
        static_cast<Pending*>(userdata)->reply = sd_bus_message_ref(m);
        return 0;
    }
};

constexpr const char* unit_interfaces[] = {"org.freedesktop.systemd1.Unit", "org.freedesktop.systemd1.Service"};
// Calls in flight at once: well below a bus daemon's limit of pending replies per
// connection (128 by default).
constexpr size_t max_in_flight = 64;

}  // namespace

Result<UnitConfig> SystemdBus::read_unit(const std::string& path, const std::string& name) {
    return std::move(read_units({{name, path}}).front());
}

std::vector<Result<UnitConfig>> SystemdBus::read_units(const std::vector<std::pair<std::string, std::string>>& units) {
    // The calls are sent ahead of the replies: systemd answers one while this process
    // decodes another, instead of a round trip each.
    std::vector<Pending> pending(units.size() * 2);
    size_t next = 0;
    auto in_flight = [&] {
        return std::count_if(pending.begin(), pending.begin() + next,
                             [](const Pending& p) { return p.sent >= 0 && !p.reply; });
    };
    int r = 0;
    for (;;) {
        while (next < pending.size() && static_cast<size_t>(in_flight()) < max_in_flight) {
            Pending& p = pending[next];
            p.sent = sd_bus_call_method_async(bus_.get(), &p.slot, destination, units[next / 2].second.c_str(),
                                              "org.freedesktop.DBus.Properties", "GetAll", Pending::on_reply, &p,
                                              "s", unit_interfaces[next % 2]);
            ++next;
        }
        if (next == pending.size() && in_flight() == 0) break;
        // Each call times out on its own (the bus's method call timeout) with an error reply.
        if ((r = sd_bus_process(bus_.get(), nullptr)) < 0) break;
        if (r == 0 && (r = sd_bus_wait(bus_.get(), UINT64_MAX)) < 0) break;
    }
    std::vector<Result<UnitConfig>> out;
    for (size_t u = 0; u < units.size(); ++u) {
        const std::string& name = units[u].first;
        UnitConfig config;
        Result<bool> ok = true;
        for (size_t k = 0; k < 2 && ok; ++k) {
            const Pending& p = pending[u * 2 + k];
            BusError error;
            if (!p.reply)
                ok = call_failure(p.sent < 0 ? p.sent : (r < 0 ? r : -ECONNRESET), error, name);
            else if (sd_bus_message_is_method_error(p.reply, nullptr)) {
                sd_bus_error_copy(&error.e, sd_bus_message_get_error(p.reply));
                ok = call_failure(-sd_bus_message_get_errno(p.reply), error, name);
            } else
                ok = decode_unit_properties(p.reply, name, config);
        }
        if (ok)
            out.emplace_back(std::move(config));
        else
            out.emplace_back(fail(ok.error()));
    }
    return out;
}

Result<std::vector<std::pair<std::string, std::string>>> SystemdBus::list_services() {
    BusError error;
    Message reply;
    sd_bus_message* call = nullptr;
    int r = sd_bus_message_new_method_call(bus_.get(), &call, destination, manager_path, manager_interface,
                                           "ListUnitsByPatterns");
    Message owned{call};
    const char* states[] = {"active", "reloading", "activating", "deactivating", "failed", "maintenance", nullptr};
    const char* patterns[] = {"*.service", nullptr};
    if (r >= 0) r = sd_bus_message_append_strv(call, const_cast<char**>(states));
    if (r >= 0) r = sd_bus_message_append_strv(call, const_cast<char**>(patterns));
    if (r >= 0) r = sd_bus_call(bus_.get(), call, 0, &error.e, &reply.m);
    if (r < 0) return call_failure(r, error, "cannot list the services");
    std::vector<std::pair<std::string, std::string>> out;
    // a(ssssssouso): name, description, load state, active state, sub state, following,
    // object path, job id, job type, job path.
    r = sd_bus_message_enter_container(reply.m, 'a', "(ssssssouso)");
    if (r < 0) return fail_data("systemd's list of units is malformed");
    const char *id, *description, *load, *active, *sub, *following, *path, *job_type, *job_path;
    std::uint32_t job_id = 0;
    while ((r = sd_bus_message_read(reply.m, "(ssssssouso)", &id, &description, &load, &active, &sub, &following,
                                    &path, &job_id, &job_type, &job_path)) > 0)
        if (std::strcmp(active, "inactive") != 0) out.emplace_back(id, path);
    if (r < 0 || sd_bus_message_exit_container(reply.m) < 0)
        return fail_data("systemd's list of units is malformed");
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace capinspect::auditor
