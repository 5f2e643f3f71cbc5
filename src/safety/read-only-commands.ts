/**
 * Commands that only read or print, judged safe when no rule matches them (and nothing they write to is
 * redirected). Anything not listed here and matched by no rule is moderate: cmdai cannot vouch for it.
 */
export const READ_ONLY_COMMANDS = new Set(
  `
ls ll la dir vdir tree exa eza lsd pwd cd pushd popd dirs echo printf cat tac nl less more most head tail wc sort uniq
cut paste join comm diff diff3 sdiff cmp colordiff delta grep egrep fgrep rg ag ack ripgrep zgrep zcat bzcat xzcat zless
zmore find locate mlocate plocate fd fdfind which whereis type command hash file stat du df free top htop btop atop
glances ps pstree pgrep pidof lsof uptime w who whoami id groups users last lastlog finger uname hostname hostnamectl
arch nproc lscpu lsblk lsusb lspci lsmod lshw dmidecode blkid findmnt mount date cal ncal env printenv set true false test
[ [[ basename dirname realpath readlink md5sum sha1sum sha256sum sha512sum shasum cksum b2sum sum xxd hexdump od strings
jq yq xq fx gron awk gawk mawk nawk sed column fmt fold pr expand unexpand tr rev shuf seq yes sleep wait man info help
tldr apropos whatis history alias fc jobs bg fg disown time ping ping6 traceroute tracepath mtr dig nslookup host whois
ss netstat ip ifconfig iwconfig route arp nmap curl wget http ncdu iostat vmstat mpstat sar pidstat iotop iftop nethogs
nload bmon dstat free watch tput clear reset stty tty getconf locale localectl timedatectl journalctl dmesg systemctl
lsattr getfacl namei getent bc dc expr factor numfmt units cal openssl base64 base32 sha224sum sha384sum iconv file
identify exiftool mediainfo ffprobe pdfinfo pdftotext wc jobs type ulimit umask declare typeset local readonly export
read printf let shopt echo logger tee git-status diffstat cloc tokei scc sloccount lsns lsipc lslocks lslogins vnstat
speedtest-cli ipcalc sipcalc mtr curlie httpie xh bat batcat glow highlight pygmentize source . exit return break continue
shift getopts trap true : cut dos2unix unix2dos tsort ptx look spell aspell ispell hunspell diction style cowsay figlet
toilet lolcat fortune neofetch screenfetch fastfetch inxi hwinfo sensors acpi upower powerstat nvidia-smi rocm-smi
vainfo glxinfo xrandr xdpyinfo xset xwininfo xprop wmctrl lsb_release sw_vers system_profiler defaults sysctl
launchctl csrutil diskutil mdfind mdls otool nm objdump readelf ldd size strace ltrace gdb perf valgrind file
zipinfo unzip tar 7z gzip bzip2 xz zstd column csvlook csvstat csvcut xsv qsv mlr miller sqlite3 psql mysql redis-cli
mongo mongosh kubectl docker podman helm aws gcloud az terraform npm pip pip3 cargo go apt apt-cache dpkg rpm yum dnf
brew gem conda snap flatpak git svn hg  ssh-add  gpg keytool printf numactl taskset chrt nice ionice
getenforce sestatus aa-status ufw iptables nft firewall-cmd crontab at atq quota repquota df showmount exportfs
smbstatus nmblookup testparm   rustc gcc cc clang
go env printenv rev fdisk sfdisk parted sudo
`
    .split(/\s+/)
    .filter(Boolean),
);

/** Commands in the list above that still need a rule to decide (their read-only use is judged by the rules). */
export const JUDGED_BY_RULES = new Set([
  "sed",
  "tee",
  "tar",
  "unzip",
  "7z",
  "gzip",
  "bzip2",
  "xz",
  "zstd",
  "systemctl",
  "crontab",
  "ip",
  "ifconfig",
  "route",
  "iptables",
  "nft",
  "ufw",
  "firewall-cmd",
  "sysctl",
  "mount",
  "kubectl",
  "docker",
  "podman",
  "helm",
  "aws",
  "gcloud",
  "az",
  "terraform",
  "npm",
  "pip",
  "pip3",
  "cargo",
  "go",
  "apt",
  "apt-cache",
  "dpkg",
  "rpm",
  "yum",
  "dnf",
  "brew",
  "gem",
  "conda",
  "snap",
  "flatpak",
  "git",
  "svn",
  "hg",
  "curl",
  "wget",
  "http",
  "sqlite3",
  "psql",
  "mysql",
  "redis-cli",
  "mongo",
  "mongosh",
  "php",
  "python",
  "python3",
  "node",
  "ruby",
  "perl",
  "make",
  "cmake",
  "launchctl",
  "diskutil",
  "defaults",
  "csrutil",
  "history",
  "journalctl",
  "dmesg",
  "ssh-keygen",
  "gpg",
  "openssl",
  "hostnamectl",
  "timedatectl",
  "localectl",
  "export",
  "set",
  "declare",
  "typeset",
  "nice",
  "ionice",
  "taskset",
  "chrt",
  "watch",
  "env",
  "time",
  "command",
  "type",
]);

const CONTAINER_SUBCOMMANDS =
  /^(ps|images|image\s+(ls|list|inspect|history)|container\s+(ls|list|inspect|logs|top|stats|diff|port)|logs|inspect|stats|top|version|info|history|port|diff|search|network\s+(ls|inspect)|volume\s+(ls|inspect)|system\s+(df|info|events)|events|compose\s+(ps|logs|config|ls|images|top|version)|context\s+(ls|show)|manifest\s+inspect|buildx\s+(ls|inspect)|node\s+(ls|inspect)|service\s+(ls|ps|logs|inspect)|stack\s+(ls|ps|services)|secret\s+ls|config\s+ls|plugin\s+ls|login|--version|-v|help|--help)\b/;

/** Read-only subcommands of multi-command tools (`docker ps`, `kubectl get`, `aws s3 ls`, `systemctl status`). */
export const READ_ONLY_SUBCOMMANDS: Record<string, RegExp> = {
  docker: CONTAINER_SUBCOMMANDS,
  podman: CONTAINER_SUBCOMMANDS,
  nerdctl: CONTAINER_SUBCOMMANDS,
  kubectl:
    /^(get|describe|logs|top|explain|version|api-resources|api-versions|cluster-info|config\s+(view|get-contexts|current-context|get-clusters)|auth\s+can-i|diff|events|wait|port-forward|proxy|completion|help|--help)\b/,
  helm: /^(list|ls|status|get|history|show|inspect|search|repo\s+list|template|lint|version|env|dependency\s+list|verify|help)\b/,
  aws: /^(\S+\s+)?((describe|list|get|show|lookup|search|head|batch-get|filter|query|scan|validate|estimate|preview|check|test)[\w-]*|ls|sts\s+get-caller-identity|s3\s+ls|configure\s+(list|get)|help|--version)\b/,
  gcloud:
    /^(\S+\s+){0,3}(list|describe|get-iam-policy|get-value|info|version|help|read|search|show|logs\s+read|config\s+(list|get-value)|auth\s+list)\b/,
  az: /^(\S+\s+){0,3}(list|show|get|list-\w+|show-\w+|version|account\s+show|find|help|--version)\b/,
  terraform:
    /^(plan|show|validate|fmt|output|version|providers|graph|state\s+(list|show|pull)|console|workspace\s+(list|show)|init|get|help|-help|--version|-version)\b/,
  systemctl:
    /^(status|show|list-units|list-unit-files|list-timers|list-sockets|list-dependencies|list-jobs|is-active|is-enabled|is-failed|is-system-running|cat|help|get-default|--version|-a|--all|--failed|--type)\b/,
  journalctl: /^(?!.*--vacuum|.*--rotate|.*--flush)/,
  ufw: /^(status|app\s+(list|info)|show|version)\b/,
  iptables: /^(-L|-S|-n|-v|--list|-nL|-nvL|-vnL|-Ln|-Lnv|-t\s+\w+\s+-L)/,
  nft: /^(list|-a\s+list|--version)\b/,
  "firewall-cmd": /^(--list|--get|--query|--state)/,
  snap: /^(list|info|find|version|services|changes|connections)\b/,
  flatpak: /^(list|info|search|remote-ls|remotes|history)\b/,
  "ssh-keygen": /^-[a-zA-Z]*[lFyBL]/,
  smartctl: /^(-[aiHAxcl]|--all|--info|--health|--xall|--scan|--capabilities|--attributes|--log)\b/,
  blockdev: /^(--get\w*|--report)\b/,
  hdparm: /^(-[iIgCtT]+)(\s|$)/,
  pulumi: /^(preview|whoami|version|about|logs|stack\s+(ls|output|history|graph)|config\s+get|help)\b/,
};
