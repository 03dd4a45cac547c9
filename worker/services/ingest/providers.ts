/**
 * Mailbox provider of a recipient domain. Alias domains collapse under one canonical name (product docs:
 * reports__deliverability-reports.md); a domain not listed here is its own provider (the raw domain).
 */

/** Exact domains → provider. */
const EXACT: Record<string, string> = {};
/** Brands that exist under many country / generic TLDs (`yahoo.co.uk`, `hotmail.fr`, `gmx.net`, ...). */
const BRANDS: Record<string, string> = {};

function add(provider: string, domains: string[], brands: string[] = []) {
  for (const d of domains) EXACT[d] = provider;
  for (const b of brands) BRANDS[b] = provider;
}

add("Gmail", ["gmail.com", "googlemail.com"]);
add("Microsoft", ["msn.com", "passport.com", "windowslive.com"], ["outlook", "hotmail", "live"]);
add("Yahoo", ["ymail.com", "rocketmail.com"], ["yahoo"]);
add("AOL", ["aol.com", "aim.com", "aol.co.uk", "aol.de", "aol.fr"]);
add("Apple", ["icloud.com", "me.com", "mac.com"]);
add("Proton", ["proton.me", "protonmail.com", "protonmail.ch", "pm.me"]);
add("Zoho", ["zoho.com", "zohomail.com", "zoho.eu"]);
add("Comcast", ["comcast.net"]);
// Europe
add("Free.fr", ["free.fr", "aliceadsl.fr", "libertysurf.fr"]);
add("Orange", ["orange.fr", "wanadoo.fr", "voila.fr"]);
add("SFR", ["sfr.fr", "neuf.fr", "cegetel.net"]);
add("La Poste", ["laposte.net"]);
add("GMX", [], ["gmx"]);
add("Web.de", ["web.de"]);
add("T-Online", ["t-online.de", "magenta.de"]);
add("Yandex", ["ya.ru"], ["yandex"]);
add("Mail.ru", ["mail.ru", "inbox.ru", "list.ru", "bk.ru", "internet.ru"]);
add("Libero", ["libero.it", "inwind.it", "iol.it", "blu.it"]);
add("Virgilio", ["virgilio.it", "alice.it", "tim.it"]);
add("Seznam", ["seznam.cz", "email.cz", "post.cz", "spoluzaci.cz"]);
add("Onet", ["onet.pl", "op.pl", "vp.pl", "onet.eu"]);
add("WP", ["wp.pl"]);
add("Interia", ["interia.pl", "poczta.fm"]);
// Asia-Pacific
add("Naver", ["naver.com"]);
add("Daum", ["daum.net", "hanmail.net", "kakao.com"]);
add("QQ", ["qq.com", "vip.qq.com", "foxmail.com"]);
add("NetEase", ["163.com", "126.com", "yeah.net", "188.com", "vip.163.com", "vip.126.com", "netease.com"]);
add("Sina", ["sina.com", "sina.cn", "sina.com.cn", "vip.sina.com"]);
add("Sohu", ["sohu.com"]);
add("Aliyun", ["aliyun.com"]);
add("Rediff", ["rediffmail.com", "rediff.com"]);

/** What may follow a brand label: a generic TLD, a country code, or `co.xx` / `com.xx` style suffixes. */
const BRAND_SUFFIX = /^(com|net|org|[a-z]{2}|(co|com|net|org|ne|or)\.[a-z]{2})$/;

export function providerOf(domain: string): string {
  const d = domain.toLowerCase();
  const exact = EXACT[d];
  if (exact) return exact;
  const dot = d.indexOf(".");
  if (dot > 0) {
    const brand = BRANDS[d.slice(0, dot)];
    if (brand && BRAND_SUFFIX.test(d.slice(dot + 1))) return brand;
  }
  return d;
}
