#include "common/process_columns.h"

#include <capinspect/user_ns.h>

namespace capinspect::cli {

unsigned process_facts(std::span<const ColumnInfo> registry, const std::vector<size_t>& columns) {
    unsigned facts = 0;
    for (size_t col : columns) {
        switch (registry[col].process) {
        case ProcessField::userns:
        case ProcessField::child_userns:
        case ProcessField::scope:
        case ProcessField::userns_owner:
        case ProcessField::userns_depth:
        case ProcessField::uid_map: facts |= fact_user_ns; break;
        case ProcessField::unit: facts |= fact_cgroup; break;
        case ProcessField::exe: facts |= fact_exe; break;
        case ProcessField::lsm: facts |= fact_lsm; break;
        default: break;
        }
    }
    return facts;
}

std::string ProcessCells::caps_text(const ProcStatus& st) const {
    // Classified by the effective set, listed by the permitted set (libcap-ng's rule).
    std::string text = format_cap_summary(st.effective, st.permitted, last_cap_);
    if (st.ambient && !st.ambient->empty()) text += " @";
    if (!st.bounding.empty()) text += " +";
    return text;
}

Cell ProcessCells::cell(ProcessField field, const Process& p, const ProcStatus& st) {
    const auto& ns = p.user_ns;
    bool other_ns = ns && ns->scope == PrivilegeScope::namespace_;
    switch (field) {
    case ProcessField::none: break;
    case ProcessField::ppid: return Cell::number(st.ppid);
    case ProcessField::pid: return Cell::number(p.pid);
    case ProcessField::uid: return Cell::number(st.uid.effective);
    case ProcessField::real_uid: return Cell::number(st.uid.real);
    case ProcessField::user: return Cell::name(accounts_.name(st.uid.effective));
    case ProcessField::command: return Cell::name(st.name);
    case ProcessField::caps: return Cell(caps_text(st));
    case ProcessField::effective: return Cell::set(st.effective);
    case ProcessField::permitted: return Cell::set(st.permitted);
    case ProcessField::inheritable: return Cell::set(st.inheritable);
    case ProcessField::bounding: return Cell::set(st.bounding);
    case ProcessField::ambient: return st.ambient ? Cell::set(*st.ambient) : Cell();
    case ProcessField::no_new_privs: return st.no_new_privs ? Cell::boolean(*st.no_new_privs) : Cell();
    case ProcessField::seccomp: return st.seccomp ? Cell(seccomp_mode_name(*st.seccomp)) : Cell();
    case ProcessField::seccomp_filters: return st.seccomp_filters ? Cell::number(*st.seccomp_filters) : Cell();
    case ProcessField::userns: return ns ? Cell(std::to_string(ns->inode)) : Cell();
    case ProcessField::child_userns: return ns ? Cell::boolean(other_ns) : Cell();
    case ProcessField::scope: return ns ? Cell(privilege_scope_name(ns->scope)) : Cell();
    case ProcessField::userns_owner: return other_ns && ns->owner_uid ? Cell::number(*ns->owner_uid) : Cell();
    case ProcessField::userns_depth: return other_ns && ns->depth ? Cell::number(*ns->depth) : Cell();
    case ProcessField::uid_map:
        return other_ns && !ns->uid_map.empty() ? Cell(format_id_map(ns->uid_map, ",")) : Cell();
    case ProcessField::unit: return p.cgroup && !p.cgroup->unit.empty() ? Cell::name(p.cgroup->unit) : Cell();
    case ProcessField::exe:
        // As the kernel shows it (ls -l /proc/PID/exe): an unlinked file is marked.
        return p.exe ? Cell::name(*p.exe + (p.exe_deleted ? " (deleted)" : "")) : Cell();
    case ProcessField::lsm: return p.lsm && !p.lsm->empty() ? Cell::name(*p.lsm) : Cell();
    }
    return Cell();
}

Json ProcessCells::object(const Process& p, const ProcStatus& st, std::initializer_list<ColumnInfo> fields) {
    Json obj = Json::object();
    for (const ColumnInfo& info : fields) obj[json_key(info.name)] = json_value(info, cell(info.process, p, st));
    return obj;
}

}  // namespace capinspect::cli
