"""The address guard: which IP addresses Broadsheet may connect to.

Every request, and every redirect hop, is checked on the addresses the host name
actually resolves to, so no spelling (decimal, octal, hex, IPv4-mapped IPv6) and
no DNS answer can point a fetch at loopback, private or reserved space unless an
operator listed that network in ``allowed_networks``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from broadsheet.errors import ConfigError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_6TO4 = ipaddress.ip_network("2002::/16")


def parse_networks(spec: str) -> tuple[IPNetwork, ...]:
    """Parse a comma-separated list of CIDR blocks; a bad block is a configuration error."""
    networks = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ConfigError(f"settings: allowed_networks: {part!r} is not a CIDR block") from None
    return tuple(networks)


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """Return the IPv4 address hidden inside an IPv6 one (mapped, NAT64, 6to4), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64 or address in _NAT64_LOCAL:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    return None


@dataclass(frozen=True)
class AddressGuard:
    """Decides whether an address may be connected to."""

    allowed: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_setting(cls, spec: str) -> AddressGuard:
        return cls(parse_networks(spec))

    def permits(self, address: IPAddress | str) -> bool:
        """True when the address is public, or inside a network the operator allowed."""
        try:
            ip = ipaddress.ip_address(address) if isinstance(address, str) else address
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
            ip = ipaddress.IPv6Address(str(ip).split("%")[0])
        if any(ip.version == net.version and ip in net for net in self.allowed):
            return True
        inner = _embedded_ipv4(ip)
        if inner is not None:
            # Only the mapped form (::ffff:a.b.c.d) is the same host; NAT64 and 6to4
            # forms reach a translator, so an allowed IPv4 network never admits them.
            mapped = isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None
            if mapped and any(
                    net.version == 4 and inner in net for net in self.allowed):
                return True
            # Every embedded form is judged by the IPv4 address it carries.
            return _is_public(inner)
        return _is_public(ip)

    def permitted(self, addresses: Iterable[str]) -> list[str]:
        """Filter resolved addresses down to the ones that may be used."""
        return [a for a in addresses if self.permits(a)]


def _is_public(ip: IPAddress) -> bool:
    return bool(ip.is_global) and not ip.is_multicast and not ip.is_reserved
