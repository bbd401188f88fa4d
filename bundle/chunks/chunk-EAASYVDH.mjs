import { createRequire as __rmCreateRequire } from 'node:module'; let __rmRequire; const require = new Proxy(function (id) { return (__rmRequire ??= __rmCreateRequire(import.meta.url))(id); }, { get: (_, key) => (__rmRequire ??= __rmCreateRequire(import.meta.url))[key] });
var h=["fatal","error","warn","info","debug","trace","silent"];function f(l,s,a){let[u,e]=l!==void 0?["--log-level",l]:s!==void 0&&s!==""?["LOG_LEVEL",s]:[void 0,void 0];if(e===void 0)return{level:a};let r=e.toLowerCase();return h.includes(r)?{level:r}:{error:`${u} "${e}" is not a log level (levels: ${h.join(", ")})`}}import{parseArgs as m}from"node:util";var c=["run","status","validate","daemon","test-push","kuma"],t=class extends Error{},v=`Usage: restic-monitor [command] [options]

Commands:
  run        check every repository, push to its monitor, print one line each (default)
  status     check every repository, push nothing, print a table (--json: JSON)
  validate   check the config only (no network) and print it with secrets masked
  daemon     keep running: check each repository every interval, serve metrics on listen
  test-push NAME
             check nothing: send one "up" test beat to NAME's push targets, say if each got it
  kuma sync  make or update an Uptime Kuma push monitor for every check (the config's
             kuma: block); --dry-run shows the plan, --prune pauses the monitors of
             checks that are gone (--prune=delete deletes them)

Options:
  -c, --config FILE   config file (default: $RESTIC_MONITOR_CONFIG, else ./config.yaml)
  --environment-file FILE, --env-file FILE
                      KEY=VALUE secrets laid over the environment (default:
                      $RESTIC_MONITOR_ENV_FILE); a bare name is read from $CREDENTIALS_DIRECTORY
  --only NAME         only this repository, or all of its hosts/ checks (repeatable)
  --json              machine-readable output (status, validate)
  --textfile FILE     run: also write Prometheus metrics to FILE, atomically
  --dry-run           run: check, push nothing, show what would be pushed where;
                      kuma sync: show what would change, change nothing
  --log-level LEVEL   JSON logs on stderr from LEVEL up (default: $LOG_LEVEL, else warn;
                      daemon: info): fatal, error, warn, info, debug, trace, silent
  -h, --help          show this help
  -V, --version       show the version

Exit codes: 0 all up and pushed; 1 something down or a push failed; 2 config or usage error.`;function k(l){let s,a=l.map(o=>o==="--prune=delete"?"--prune-delete":o==="--prune=pause"?"--prune":o),u=a.find(o=>o.startsWith("--prune="));if(u!==void 0)throw new t(`${u}: --prune pauses; --prune=delete deletes`);try{s=m({args:a,allowPositionals:!0,strict:!0,options:{config:{type:"string",short:"c"},"environment-file":{type:"string"},"env-file":{type:"string"},only:{type:"string",multiple:!0},json:{type:"boolean"},textfile:{type:"string"},"dry-run":{type:"boolean"},prune:{type:"boolean"},"prune-delete":{type:"boolean"},"log-level":{type:"string"},help:{type:"boolean",short:"h"},version:{type:"boolean",short:"V"}}})}catch(o){throw new t(o.message.split(". ")[0].replace(/^Unknown option/,"unknown option"))}let{values:e,positionals:r}=s,i=r[0]??"run",d=i==="test-push"||i==="kuma"?1:0;if(r.length>1+d)throw new t(`unexpected argument "${r[1+d]}"`);let n;if(e.help||i==="help")n="help";else if(e.version)n="version";else if(i==="kuma"){if(r[1]!=="sync")throw new t(r[1]===void 0?"kuma needs a subcommand: restic-monitor kuma sync":`unknown kuma subcommand "${r[1]}" (try: kuma sync)`);n="kuma-sync"}else if(c.includes(i))n=i;else throw new t(`unknown command "${i}" (commands: ${c.map(o=>o==="kuma"?"kuma sync":o).join(", ")})`);if(e.textfile!==void 0&&n!=="run")throw new t(`--textfile works with run only, not ${n}`);if(e["dry-run"]&&n!=="run"&&n!=="kuma-sync")throw new t(`--dry-run works with run and kuma sync, not ${n}`);if((e.prune||e["prune-delete"])&&n!=="kuma-sync")throw new t(`--prune works with kuma sync only, not ${n}`);if(e.prune&&e["prune-delete"])throw new t("give --prune or --prune=delete, not both");if((e.prune||e["prune-delete"])&&e.only!==void 0)throw new t("--prune needs every check to tell which are gone: drop --only");if(e["dry-run"]&&e.textfile!==void 0)throw new t("--dry-run writes nothing: drop --textfile");if(n==="test-push"){if(r[1]===void 0)throw new t("test-push needs the name of a check: restic-monitor test-push NAME");if(e.only!==void 0)throw new t("test-push takes the name of one check, not --only")}if(e["log-level"]!==void 0){let o=f(e["log-level"],void 0,"warn");if("error"in o)throw new t(o.error)}if(e.json&&n!=="status"&&n!=="validate")throw new t(`--json works with status and validate, not ${n}`);if(e["environment-file"]!==void 0&&e["env-file"]!==void 0)throw new t("--env-file is another name for --environment-file: give one of them");let p=e["environment-file"]??e["env-file"];return{command:n,...e.config!==void 0&&{config:e.config},...p!==void 0&&{envFile:p},only:e.only??[],json:e.json??!1,...e.textfile!==void 0&&{textfile:e.textfile},dryRun:e["dry-run"]??!1,...e["log-level"]!==void 0&&{logLevel:e["log-level"]},...n==="test-push"&&{target:r[1]},...n==="kuma-sync"&&{prune:e["prune-delete"]?"delete":e.prune?"pause":"off"}}}export{f as a,t as b,v as c,k as d};
