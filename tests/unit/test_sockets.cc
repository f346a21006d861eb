#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/packet_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <string>

#include <capinspect/proc_fd.h>
#include <capinspect/sockets.h>

using namespace capinspect;

namespace {

// Lines as Linux 6.x prints them (x86-64: addresses are 32-bit words in host order).
const char* tcp_table =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 0100007F:1FA3 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 543099 1 0000000000000000 100 0 0 10 0\n"
    "   1: 0100007F:BC3C 0100007F:1FA3 01 00000000:00000000 00:00000000 00000000  1000        0 543100 1 0000000000000000 20 4 30 10 -1\n"
    "   2: 0100007F:1FA4 0100007F:BC3D 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000\n";

const char* tcp6_table =
    "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000000000000000000001000000:20FB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7001 1 0000000000000000 100 0 0 10 0\n"
    "   1: 000080FE00000000FF00FC00010000FE:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7002 1 0000000000000000 100 0 0 10 0\n"
    "   2: 00000000000000000000000000000000:0051 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7003 1 0000000000000000 100 0 0 10 0\n";

const char* packet_table =
    "sk               RefCnt Type Proto  Iface R Rmem   User   Inode\n"
    "00000000869f50f8 3      3    0003   0     1 0      0      544814\n"
    "00000000869f50f9 3      3    88cc   1     1 0      1000   544815\n";

}  // namespace

TEST_CASE("/proc/net/tcp: addresses, ports, states, uids, inodes") {
    unsigned skipped = 0;
    auto rows = parse_proc_net_inet(tcp_table, SocketKind::tcp, skipped);
    CHECK(skipped == 0);
    REQUIRE(rows.size() == 3);
    CHECK(format_socket_address(rows[0], false) == "127.0.0.1");
    CHECK(rows[0].local_port == 8099);
    CHECK(format_socket_address(rows[0], true) == "*");
    CHECK(rows[0].state == 10);
    CHECK(rows[0].is_listening());
    CHECK(std::string(socket_state_name(SocketKind::tcp, rows[0].state)) == "LISTEN");
    CHECK(rows[0].inode == 543099);
    CHECK(rows[1].uid == 1000);
    CHECK(rows[1].remote_port == 8099);
    CHECK(format_socket_address(rows[1], true) == "127.0.0.1");
    CHECK_FALSE(rows[1].is_listening());
    CHECK(std::string(socket_state_name(SocketKind::tcp, rows[1].state)) == "ESTAB");
    CHECK(std::string(socket_state_name(SocketKind::tcp, rows[2].state)) == "TIME-WAIT");
    CHECK(rows[2].inode == 0);
}

TEST_CASE("/proc/net/tcp6: IPv6 words in host order") {
    unsigned skipped = 0;
    auto rows = parse_proc_net_inet(tcp6_table, SocketKind::tcp6, skipped);
    REQUIRE(rows.size() == 3);
    CHECK(format_socket_address(rows[0], false) == "::1");
    CHECK(rows[0].local_port == 8443);
    CHECK(format_socket_address(rows[1], false) == "fe80::fc:ff:fe00:1");
    CHECK(format_socket_address(rows[2], false) == "*");
    CHECK(rows[2].is_ipv6());
}

TEST_CASE("every TCP state has a name; datagram sockets are ESTAB or UNCONN") {
    for (unsigned st = 1; st <= 13; ++st) CHECK(std::string(socket_state_name(SocketKind::tcp, static_cast<std::uint8_t>(st))) != "UNKNOWN");
    CHECK(std::string(socket_state_name(SocketKind::tcp, 99)) == "UNKNOWN");
    CHECK(std::string(socket_state_name(SocketKind::udp, 7)) == "UNCONN");
    CHECK(std::string(socket_state_name(SocketKind::udp6, 1)) == "ESTAB");
    CHECK(std::string(socket_state_name(SocketKind::packet, 0)) == "UNCONN");
}

TEST_CASE("/proc/net/raw keeps the protocol in the port field") {
    const char* raw =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
        " 247: 00000000:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 543129 2 00000000b8d00dbe 0\n";
    unsigned skipped = 0;
    auto rows = parse_proc_net_inet(raw, SocketKind::raw, skipped);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].protocol == 1);
    CHECK(rows[0].is_listening());
}

TEST_CASE("/proc/net/packet: protocol, interface, uid, inode") {
    unsigned skipped = 0;
    auto rows = parse_proc_net_packet(packet_table, skipped);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].protocol == 3);
    CHECK(rows[0].ifindex == 0);
    CHECK(rows[0].inode == 544814);
    CHECK(rows[1].protocol == 0x88cc);
    CHECK(rows[1].ifindex == 1);
    CHECK(rows[1].uid == 1000);
    CHECK(format_socket_address(rows[1], false) == "*");
}

TEST_CASE("truncated lines, extra fields and junk are skipped and counted") {
    std::string text = std::string(tcp_table) +
                       "   3: 0100007F:1FA3 00000000:0000 0A 00000000:00000000\n"     // truncated
                       "   4: 0100007G:1FA3 00000000:0000 0A 0:0 00:0 0 0 0 1\n"      // bad hex
                       "   5: 0100007F:1FA3 00000000:0000 0A 0:0 00:0 0 0 0 77 extra fields here\n"
                       "   6: 0100007F 00000000:0000 0A 0:0 00:0 0 0 0 1\n"           // no port
                       "   7: 0100007F:1FA3 00000000:0000 1FF 0:0 00:0 0 0 0 1\n";    // state > 255
    unsigned skipped = 0;
    auto rows = parse_proc_net_inet(text, SocketKind::tcp, skipped);
    CHECK(rows.size() == 4);
    CHECK(rows.back().inode == 77);
    CHECK(skipped == 4);
    skipped = 0;
    CHECK(parse_proc_net_inet("", SocketKind::tcp, skipped).empty());
    CHECK(parse_proc_net_inet("  sl  local_address rem_address   st", SocketKind::tcp, skipped).empty());
    CHECK(parse_proc_net_inet(tcp_table, SocketKind::tcp6, skipped).empty());  // v4 lines in a v6 table
    CHECK(skipped == 3);
    skipped = 0;
    CHECK(parse_proc_net_packet("sk RefCnt\nshort line\n", skipped).empty());
    CHECK(skipped == 1);
}

TEST_CASE("the header line is recognised, not assumed: a table without it keeps its first entry") {
    // The first line used to be dropped whatever it was: a /proc/net/raw6 of one entry and
    // no header gave no row and no count.
    std::string tcp(tcp_table), packet(packet_table);
    std::string tcp_entries = tcp.substr(tcp.find('\n') + 1);
    unsigned skipped = 0;
    auto rows = parse_proc_net_inet(tcp_entries, SocketKind::tcp, skipped);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].inode == 543099);
    CHECK(skipped == 0);
    // something else in the header's place is a malformed entry: counted
    rows = parse_proc_net_inet("garbage in place of the header\n" + tcp_entries, SocketKind::tcp, skipped);
    CHECK(rows.size() == 3);
    CHECK(skipped == 1);
    skipped = 0;
    auto packets = parse_proc_net_packet(packet.substr(packet.find('\n') + 1), skipped);
    REQUIRE(packets.size() == 2);
    CHECK(packets[0].inode == 544814);
    CHECK(skipped == 0);
    // the headers as the kernel prints them are still skipped, leading blanks or not
    CHECK(parse_proc_net_inet("   sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
                              "retrnsmt   uid  timeout inode ref pointer drops\n",
                              SocketKind::udp, skipped).empty());
    CHECK(parse_proc_net_packet("sk               RefCnt Type Proto  Iface R Rmem   User   Inode\n", skipped).empty());
    CHECK(skipped == 0);
}

TEST_CASE("inet_diag messages decode like the text tables") {
    inet_diag_msg msg{};
    msg.idiag_family = AF_INET6;
    msg.idiag_state = 10;
    msg.id.idiag_sport = htons(8443);
    inet_pton(AF_INET6, "::1", msg.id.idiag_src);
    msg.idiag_uid = 1000;
    msg.idiag_inode = 7001;
    std::string bytes(reinterpret_cast<const char*>(&msg), sizeof msg);
    auto s = decode_inet_diag(bytes, SocketKind::tcp6);
    REQUIRE(s);
    CHECK(format_socket_address(*s, false) == "::1");
    CHECK(s->local_port == 8443);
    CHECK(s->uid == 1000);
    CHECK(s->inode == 7001);
    CHECK(s->is_listening());

    msg.idiag_family = AF_INET;
    std::memset(msg.id.idiag_src, 0xff, sizeof msg.id.idiag_src);  // garbage past the IPv4 word
    inet_pton(AF_INET, "10.1.2.3", msg.id.idiag_src);
    bytes.assign(reinterpret_cast<const char*>(&msg), sizeof msg);
    auto v4 = decode_inet_diag(bytes, SocketKind::tcp);
    REQUIRE(v4);
    CHECK(format_socket_address(*v4, false) == "10.1.2.3");

    auto short_msg = decode_inet_diag(bytes.substr(0, 10), SocketKind::tcp);
    REQUIRE_FALSE(short_msg);
    CHECK(short_msg.error().data);
}

TEST_CASE("packet_diag messages: protocol in host order, interface and uid attributes") {
    // packet_diag_msg, then PACKET_DIAG_INFO and PACKET_DIAG_UID attributes.
    std::string bytes(sizeof(packet_diag_msg), '\0');
    packet_diag_msg msg{};
    msg.pdiag_family = AF_PACKET;
    msg.pdiag_num = 3;
    msg.pdiag_ino = 544815;
    std::memcpy(bytes.data(), &msg, sizeof msg);
    auto put_attr = [&](std::uint16_t type, const void* data, std::uint16_t len) {
        nlattr a{static_cast<std::uint16_t>(NLA_HDRLEN + len), type};
        bytes.append(reinterpret_cast<const char*>(&a), sizeof a);
        bytes.append(static_cast<const char*>(data), len);
        bytes.append((NLA_ALIGN(len) - len), '\0');
    };
    packet_diag_info info{};
    info.pdi_index = 1;
    put_attr(PACKET_DIAG_INFO, &info, sizeof info);
    std::uint32_t uid = 1000;
    put_attr(PACKET_DIAG_UID, &uid, sizeof uid);
    auto s = decode_packet_diag(bytes);
    REQUIRE(s);
    CHECK(s->protocol == 3);
    CHECK(s->ifindex == 1);
    CHECK(s->uid == 1000);
    CHECK(s->inode == 544815);
    // An attribute that claims more bytes than there are is ignored, not read past.
    std::string bad = bytes.substr(0, sizeof msg) + std::string("\xff\x00\x01\x00", 4);
    auto truncated = decode_packet_diag(bad);
    REQUIRE(truncated);
    CHECK(truncated->ifindex == 0);
    CHECK_FALSE(decode_packet_diag("x"));
}

TEST_CASE("parse_socket_link") {
    CHECK(parse_socket_link("socket:[12345]") == 12345u);
    CHECK(parse_socket_link("[0000]:777") == 777u);
    CHECK_FALSE(parse_socket_link("pipe:[12345]"));
    CHECK_FALSE(parse_socket_link("socket:[]"));
    CHECK_FALSE(parse_socket_link("socket:[12x]"));
    CHECK_FALSE(parse_socket_link("socket:[123"));
    CHECK_FALSE(parse_socket_link("/dev/null"));
    CHECK_FALSE(parse_socket_link(""));
}
