import { createRequire as __rmCreateRequire } from 'node:module'; const require = __rmCreateRequire(import.meta.url);
import{readdirSync as m,readFileSync as g}from"node:fs";function v(r){let n;try{n=m("/proc")}catch{return[]}let e=new Map;for(let l of n){if(!/^\d+$/.test(l))continue;let o=y(l);if(o===void 0)continue;let a=e.get(o)??[];a.push(Number(l)),e.set(o,a)}let t=[],i=[r];for(;i.length>0;)for(let l of e.get(i.shift())??[])t.push(l),i.push(l);return t}function y(r){try{let n=g(`/proc/${r}/stat`,"utf8"),e=n.slice(n.lastIndexOf(")")+2).split(" ");return Number(e[1])}catch{return}}function c(r,n,e){for(let t of v(r))e.add(t);try{process.kill(-r,n)}catch{}for(let t of e)try{process.kill(t,n)}catch{e.delete(t)}}var d=class{trees=new Map;add(n,e){this.trees.set(n,{known:e,rootGone:!1})}rootExited(n){let e=this.trees.get(n);e&&(e.rootGone=!0)}delete(n){this.trees.delete(n)}get size(){return this.trees.size}killAll(){let n=this.trees.size;for(let[e,t]of this.trees)if(!t.rootGone)c(e,"SIGKILL",t.known);else for(let i of t.known)w(i);return this.trees.clear(),n}};function w(r){try{process.kill(r,"SIGKILL")}catch{}}var k=new d;var f=["fatal","error","warn","info","debug","trace","silent"];function h(r,n,e){let[t,i]=r!==void 0?["--log-level",r]:n!==void 0&&n!==""?["LOG_LEVEL",n]:[void 0,void 0];if(i===void 0)return{level:e};let l=i.toLowerCase();return f.includes(l)?{level:l}:{error:`${t} "${i}" is not a log level (levels: ${f.join(", ")})`}}import{parseArgs as L}from"node:util";var p=["run","status","validate","daemon","test-push"],s=class extends Error{},N=`Usage: restic-monitor [command] [options]

Commands:
  run        check every repository, push to its monitor, print one line each (default)
  status     check every repository, push nothing, print a table (--json: JSON)
  validate   check the config only (no network) and print it with secrets masked
  daemon     keep running: check each repository every interval, serve metrics on listen
  test-push NAME
             check nothing: send one "up" test beat to NAME's push targets, say if each got it

Options:
  -c, --config FILE   config file (default: $RESTIC_MONITOR_CONFIG, else ./config.yaml)
  --environment-file FILE, --env-file FILE
                      KEY=VALUE secrets laid over the environment (default:
                      $RESTIC_MONITOR_ENV_FILE); a bare name is read from $CREDENTIALS_DIRECTORY
  --only NAME         only this repository, or all of its hosts/ checks (repeatable)
  --json              machine-readable output (status, validate)
  --textfile FILE     run: also write Prometheus metrics to FILE, atomically
  --dry-run           run: check, push nothing, show what would be pushed where
  --log-level LEVEL   JSON logs on stderr from LEVEL up (default: $LOG_LEVEL, else warn;
                      daemon: info): fatal, error, warn, info, debug, trace, silent
  -h, --help          show this help
  -V, --version       show the version

Exit codes: 0 all up and pushed; 1 something down or a push failed; 2 config or usage error.`;function $(r){let n;try{n=L({args:[...r],allowPositionals:!0,strict:!0,options:{config:{type:"string",short:"c"},"environment-file":{type:"string"},"env-file":{type:"string"},only:{type:"string",multiple:!0},json:{type:"boolean"},textfile:{type:"string"},"dry-run":{type:"boolean"},"log-level":{type:"string"},help:{type:"boolean",short:"h"},version:{type:"boolean",short:"V"}}})}catch(u){throw new s(u.message.split(". ")[0].replace(/^Unknown option/,"unknown option"))}let{values:e,positionals:t}=n,i=t[0]??"run",l=i==="test-push"?1:0;if(t.length>1+l)throw new s(`unexpected argument "${t[1+l]}"`);let o;if(e.help||i==="help")o="help";else if(e.version)o="version";else if(p.includes(i))o=i;else throw new s(`unknown command "${i}" (commands: ${p.join(", ")})`);if(e.textfile!==void 0&&o!=="run")throw new s(`--textfile works with run only, not ${o}`);if(e["dry-run"]&&o!=="run")throw new s(`--dry-run works with run only, not ${o}`);if(e["dry-run"]&&e.textfile!==void 0)throw new s("--dry-run writes nothing: drop --textfile");if(o==="test-push"){if(t[1]===void 0)throw new s("test-push needs the name of a check: restic-monitor test-push NAME");if(e.only!==void 0)throw new s("test-push takes the name of one check, not --only")}if(e["log-level"]!==void 0){let u=h(e["log-level"],void 0,"warn");if("error"in u)throw new s(u.error)}if(e.json&&o!=="status"&&o!=="validate")throw new s(`--json works with status and validate, not ${o}`);if(e["environment-file"]!==void 0&&e["env-file"]!==void 0)throw new s("--env-file is another name for --environment-file: give one of them");let a=e["environment-file"]??e["env-file"];return{command:o,...e.config!==void 0&&{config:e.config},...a!==void 0&&{envFile:a},only:e.only??[],json:e.json??!1,...e.textfile!==void 0&&{textfile:e.textfile},dryRun:e["dry-run"]??!1,...e["log-level"]!==void 0&&{logLevel:e["log-level"]},...o==="test-push"&&{target:t[1]}}}export{c as a,k as b,h as c,s as d,N as e,$ as f};
