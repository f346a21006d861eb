// file_caps: the security.capability decoder on literal values, the encoder, and (as root)
// reading and writing real files, cross-checked against libcap.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <memory>
#include <string>

#include <capinspect/file_caps.h>

using namespace capinspect;
using namespace std::string_literals;

namespace {

// "01 00 00 02 ..." → bytes
std::string hex(std::string_view text) {
    std::string out;
    for (size_t i = 0; i + 1 < text.size();) {
        if (text[i] == ' ') { ++i; continue; }
        out += static_cast<char>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16));
        i += 2;
    }
    return out;
}

CapSet caps_of(std::initializer_list<Cap> list) {
    CapSet s;
    for (Cap c : list) s.add(c);
    return s;
}

}  // namespace

TEST_CASE("decode_vfs_cap: revision 2, as setcap writes it") {
    // setcap cap_net_raw+ep
    auto c = decode_vfs_cap(hex("01000002 00200000 00000000 00000000 00000000"));
    REQUIRE(c);
    CHECK(c->revision == 2);
    CHECK(c->effective);
    CHECK(c->permitted == caps_of({13}));
    CHECK(c->inheritable.empty());
    CHECK_FALSE(c->rootid);
    CHECK(c->effective_set() == caps_of({13}));

    // setcap cap_net_raw,cap_chown+p: no effective flag
    c = decode_vfs_cap(hex("00000002 01200000 00000000 00000000 00000000"));
    REQUIRE(c);
    CHECK_FALSE(c->effective);
    CHECK(c->permitted == caps_of({0, 13}));
    CHECK(c->effective_set().empty());

    // setcap cap_net_raw+ie: inheritable only, effective flag
    c = decode_vfs_cap(hex("01000002 00000000 00200000 00000000 00000000"));
    REQUIRE(c);
    CHECK(c->permitted.empty());
    CHECK(c->inheritable == caps_of({13}));
    CHECK(c->effective_set() == caps_of({13}));

    // setcap = : an attribute with nothing in it
    c = decode_vfs_cap(hex("00000002 00000000 00000000 00000000 00000000"));
    REQUIRE(c);
    CHECK(c->permitted.empty());
    CHECK(c->inheritable.empty());
    CHECK_FALSE(c->effective);
}

TEST_CASE("decode_vfs_cap: the high words, bits above cap_last_cap") {
    // setcap =ep on a kernel whose last capability is 40: 0x1ff in the high word
    auto c = decode_vfs_cap(hex("01000002 ffffffff 00000000 ff010000 00000000"));
    REQUIRE(c);
    CHECK(c->permitted == CapSet::all_up_to(40));
    CHECK(c->permitted.is_full(40));
    // bit 45 (unknown to this kernel) and bit 63 are kept as they are
    c = decode_vfs_cap(hex("00000002 01000000 00000000 00200080 00000080"));
    REQUIRE(c);
    CHECK(c->permitted == caps_of({0, 45, 63}));
    CHECK(c->inheritable == caps_of({63}));
}

TEST_CASE("decode_vfs_cap: revision 3 with a rootid") {
    // setcap -n 1000 cap_net_raw+ep
    auto c = decode_vfs_cap(hex("01000003 00200000 00000000 00000000 00000000 e8030000"));
    REQUIRE(c);
    CHECK(c->revision == 3);
    CHECK(c->effective);
    CHECK(c->permitted == caps_of({13}));
    CHECK(c->rootid == 1000u);
    // setcap -n 123456 =ep
    c = decode_vfs_cap(hex("01000003 ffffffff 00000000 ff010000 00000000 40e20100"));
    REQUIRE(c);
    CHECK(c->rootid == 123456u);
    CHECK(c->permitted == CapSet::all_up_to(40));
    // a rootid of 0 (only seen in a raw value; the kernel returns such a value as V2)
    c = decode_vfs_cap(hex("00000003 01000000 00000000 00000000 00000000 00000000"));
    REQUIRE(c);
    CHECK(c->rootid == 0u);
    CHECK(decode_vfs_cap(hex("01000003 00000000 00000000 00000000 00000000 ffffffff"))->rootid ==
          0xffffffffu);
}

TEST_CASE("decode_vfs_cap: revision 1, one word per set") {
    auto c = decode_vfs_cap(hex("01000001 00200000 01000000"));
    REQUIRE(c);
    CHECK(c->revision == 1);
    CHECK(c->effective);
    CHECK(c->permitted == caps_of({13}));
    CHECK(c->inheritable == caps_of({0}));
    CHECK_FALSE(c->rootid);
    CHECK_FALSE(decode_vfs_cap(hex("00000001 ffffffff 00000000"))->effective);
}

TEST_CASE("decode_vfs_cap: the effective flag is bit 0; other flag bits are ignored") {
    auto c = decode_vfs_cap(hex("fe000002 01000000 00000000 00000000 00000000"));
    REQUIRE(c);
    CHECK_FALSE(c->effective);
    c = decode_vfs_cap(hex("ffffff02 01000000 00000000 00000000 00000000"));
    REQUIRE(c);
    CHECK(c->effective);
    CHECK(c->revision == 2);
}

TEST_CASE("decode_vfs_cap: malformed values are data errors") {
    struct Case {
        const char* bytes;
        const char* message;
    };
    const Case cases[] = {
        {"", "security.capability: 0 bytes, too short for a header"},
        {"010000", "security.capability: 3 bytes, too short for a header"},
        {"01000002", "security.capability: 4 bytes for revision 2 (expected 20)"},
        // short and long
        {"01000002 00200000 00000000 00000000 000000", "security.capability: 19 bytes for revision 2 (expected 20)"},
        {"01000002 00200000 00000000 00000000 00000000 00", "security.capability: 21 bytes for revision 2 (expected 20)"},
        {"01000003 00200000 00000000 00000000 00000000 e8030000 00", "security.capability: 25 bytes for revision 3 (expected 24)"},
        // the wrong revision for the size
        {"01000003 00200000 00000000 00000000 00000000", "security.capability: 20 bytes for revision 3 (expected 24)"},
        {"01000002 00200000 00000000 00000000 00000000 e8030000", "security.capability: 24 bytes for revision 2 (expected 20)"},
        {"01000001 00200000 00000000 00000000 00000000", "security.capability: 20 bytes for revision 1 (expected 12)"},
        {"01000002 00200000 00000000", "security.capability: 12 bytes for revision 2 (expected 20)"},
        // bad magic
        {"00000000 00200000 00000000", "security.capability: unknown revision 0x0"},
        {"01000004 00200000 00000000 00000000 00000000 00000000", "security.capability: unknown revision 0x4"},
        {"efbeadde 00200000 00000000 00000000 00000000", "security.capability: unknown revision 0xde"},
    };
    for (const Case& k : cases) {
        CAPTURE(k.bytes);
        auto c = decode_vfs_cap(hex(k.bytes));
        REQUIRE_FALSE(c);
        CHECK(c.error().data);
        CHECK(c.error().code == EINVAL);
        CHECK(c.error().message() == k.message);
    }
}

TEST_CASE("encode_vfs_cap is the inverse of decode_vfs_cap") {
    for (const char* text : {"01000002 00200000 00000000 00000000 00000000",
                             "00000002 01000000 02000000 00200080 00000080",
                             "01000003 ffffffff 00000000 ff010000 00000000 40e20100",
                             "01000001 00200000 01000000"}) {
        CAPTURE(text);
        auto c = decode_vfs_cap(hex(text));
        REQUIRE(c);
        CHECK(encode_vfs_cap(*c) == hex(text));
    }
    FileCaps v1;
    v1.revision = 1;
    v1.permitted = caps_of({1, 40});  // bit 40 does not fit a revision-1 value
    CHECK(decode_vfs_cap(encode_vfs_cap(v1))->permitted == caps_of({1}));
}

namespace {

// A scratch file, removed at the end.
struct TempFile {
    std::string path;
    TempFile() {
        char tmpl[] = "/tmp/capinspect-fc-XXXXXX";
        int fd = mkstemp(tmpl);
        REQUIRE(fd >= 0);
        close(fd);
        path = tmpl;
    }
    ~TempFile() { unlink(path.c_str()); }
};

bool can_set_file_caps() {
    TempFile f;
    std::string v = hex("01000002 00200000 00000000 00000000 00000000");
    return setxattr(f.path.c_str(), file_caps_xattr, v.data(), v.size(), 0) == 0;
}

}  // namespace

TEST_CASE("read_file_caps: no attribute is nullopt; a missing file is ENOENT") {
    TempFile f;
    auto c = read_file_caps(f.path);
    REQUIRE(c);
    CHECK_FALSE(*c);
    auto missing = read_file_caps(f.path + ".none");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ENOENT);
    CHECK(missing.error().message() == f.path + ".none: No such file or directory");
}

TEST_CASE("read_file_caps agrees with libcap's cap_get_file and cap_get_nsowner") {
    if (!can_set_file_caps()) {
        MESSAGE("skipped: setting security.capability needs CAP_SETFCAP");
        return;
    }
    TempFile f;
    for (const char* text : {"01000002 00200000 00000000 00000000 00000000",
                             "00000002 01200000 20000000 00000000 00000000",
                             "01000002 ffffffff 00000000 ff010000 00000000",
                             "01000003 00200000 00000000 00000000 00000000 e8030000",
                             "00000003 00000001 00000000 01000000 00000000 40e20100"}) {
        CAPTURE(text);
        std::string v = hex(text);
        REQUIRE(setxattr(f.path.c_str(), file_caps_xattr, v.data(), v.size(), 0) == 0);
        auto ours = read_file_caps(f.path);
        REQUIRE(ours);
        REQUIRE(*ours);
        std::unique_ptr<std::remove_pointer_t<cap_t>, int (*)(void*)> theirs(cap_get_file(f.path.c_str()), cap_free);
        REQUIRE(theirs);
        for (Cap c = 0; c <= 40; ++c) {
            cap_flag_value_t p = CAP_CLEAR, i = CAP_CLEAR, e = CAP_CLEAR;
            cap_get_flag(theirs.get(), static_cast<cap_value_t>(c), CAP_PERMITTED, &p);
            cap_get_flag(theirs.get(), static_cast<cap_value_t>(c), CAP_INHERITABLE, &i);
            cap_get_flag(theirs.get(), static_cast<cap_value_t>(c), CAP_EFFECTIVE, &e);
            CHECK((*ours)->permitted.has(c) == (p == CAP_SET));
            CHECK((*ours)->inheritable.has(c) == (i == CAP_SET));
            CHECK((*ours)->effective_set().has(c) == (e == CAP_SET));
        }
        uid_t owner = cap_get_nsowner(theirs.get());
        CHECK((*ours)->rootid.value_or(0) == owner);
        CHECK((*ours)->revision == (owner ? 3u : 2u));
    }
}

TEST_CASE("CapsFile writes through libcap, reads back, and refuses what is not a regular file") {
    if (!can_set_file_caps()) {
        MESSAGE("skipped: setting security.capability needs CAP_SETFCAP");
        return;
    }
    TempFile f;
    FileCaps want;
    want.permitted = caps_of({0, 13});
    want.effective = true;
    auto got = write_file_caps(f.path, want);
    REQUIRE(got);
    REQUIRE(*got);
    CHECK((*got)->permitted == caps_of({0, 13}));
    CHECK((*got)->effective);
    CHECK((*got)->revision == 2);
    // the raw value is libcap-ng's: 0x0100000201200000...
    char raw[32];
    ssize_t n = getxattr(f.path.c_str(), file_caps_xattr, raw, sizeof raw);
    CHECK(std::string(raw, static_cast<size_t>(n > 0 ? n : 0)) ==
          hex("01000002 01200000 00000000 00000000 00000000"));

    // revision 3 with a rootid, read back through libcap
    want.rootid = 1000;
    got = write_file_caps(f.path, want);
    REQUIRE(got);
    CHECK((*got)->revision == 3);
    CHECK((*got)->rootid == 1000u);
    std::unique_ptr<std::remove_pointer_t<cap_t>, int (*)(void*)> theirs(cap_get_file(f.path.c_str()), cap_free);
    REQUIRE(theirs);
    CHECK(cap_get_nsowner(theirs.get()) == 1000);

    // removal, and removal of nothing (ENODATA)
    got = write_file_caps(f.path, std::nullopt);
    REQUIRE(got);
    CHECK_FALSE(*got);
    got = write_file_caps(f.path, std::nullopt);
    REQUIRE_FALSE(got);
    CHECK(got.error().code == ENODATA);

    // a symlink, a directory, a FIFO, a replaced file
    std::string link = f.path + ".link", fifo = f.path + ".fifo", dir = f.path + ".dir";
    REQUIRE(symlink(f.path.c_str(), link.c_str()) == 0);
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    REQUIRE(mkdir(dir.c_str(), 0700) == 0);
    CHECK(write_file_caps(link, want).error().code == ELOOP);
    CHECK(write_file_caps(dir, want).error().code == EISDIR);
    auto on_fifo = write_file_caps(fifo, want);
    REQUIRE_FALSE(on_fifo);
    CHECK(on_fifo.error().data);
    struct stat st {};
    REQUIRE(lstat(f.path.c_str(), &st) == 0);
    CHECK(write_file_caps(f.path, want, FileId{st.st_dev, st.st_ino + 1}).error().code == ESTALE);
    CHECK(write_file_caps(f.path, want, FileId{st.st_dev, st.st_ino}));
    // the checked file replaced by a symlink to it: refused as changed, not followed
    CHECK(write_file_caps(link, want, FileId{st.st_dev, st.st_ino}).error().code == ESTALE);
    unlink(link.c_str());
    unlink(fifo.c_str());
    rmdir(dir.c_str());
}
