package nightfloat

import "net/netip"

// Network is the client network an address is counted by when limiting what one source
// may do: an IPv4 address as it is, an IPv6 address by its /64 (one subscriber usually
// holds a whole /64, so counting single addresses would let it rotate past a limit). A
// mapped IPv4 address counts as IPv4, and a zone is ignored.
func Network(ip netip.Addr) string {
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
