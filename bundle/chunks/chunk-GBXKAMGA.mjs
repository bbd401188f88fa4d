import { createRequire as __rmCreateRequire } from 'node:module'; const require = __rmCreateRequire(import.meta.url);
import{parseArgs as d}from"node:util";var f=["run","status","validate","daemon"],s=class extends Error{},w=`Usage: restic-monitor [command] [options]

Commands:
  run        check every repository, push to its monitor, print one line each (default)
  status     check every repository, push nothing, print a table (--json: JSON)
  validate   check the config only (no network) and print it with secrets masked
  daemon     keep running: check each repository every interval, serve metrics on listen

Options:
  -c, --config FILE   config file (default: $RESTIC_MONITOR_CONFIG, else ./config.yaml)
  --environment-file FILE, --env-file FILE
                      KEY=VALUE secrets laid over the environment (default:
                      $RESTIC_MONITOR_ENV_FILE); a bare name is read from $CREDENTIALS_DIRECTORY
  --only NAME         only this repository, or all of its hosts/ checks (repeatable)
  --json              machine-readable output (status, validate)
  --textfile FILE     run: also write Prometheus metrics to FILE, atomically
  -h, --help          show this help
  -V, --version       show the version

Exit codes: 0 all up and pushed; 1 something down or a push failed; 2 config or usage error.`;function b(r){let n;try{n=d({args:[...r],allowPositionals:!0,strict:!0,options:{config:{type:"string",short:"c"},"environment-file":{type:"string"},"env-file":{type:"string"},only:{type:"string",multiple:!0},json:{type:"boolean"},textfile:{type:"string"},help:{type:"boolean",short:"h"},version:{type:"boolean",short:"V"}}})}catch(a){throw new s(a.message.split(". ")[0].replace(/^Unknown option/,"unknown option"))}let{values:e,positionals:o}=n;if(o.length>1)throw new s(`unexpected argument "${o[1]}"`);let i=o[0]??"run",t;if(e.help||i==="help")t="help";else if(e.version)t="version";else if(f.includes(i))t=i;else throw new s(`unknown command "${i}" (commands: ${f.join(", ")})`);if(e.textfile!==void 0&&t!=="run")throw new s(`--textfile works with run only, not ${t}`);if(e.json&&t!=="status"&&t!=="validate")throw new s(`--json works with status and validate, not ${t}`);if(e["environment-file"]!==void 0&&e["env-file"]!==void 0)throw new s("--env-file is another name for --environment-file: give one of them");let l=e["environment-file"]??e["env-file"];return{command:t,...e.config!==void 0&&{config:e.config},...l!==void 0&&{envFile:l},only:e.only??[],json:e.json??!1,...e.textfile!==void 0&&{textfile:e.textfile}}}import{readdirSync as m,readFileSync as p}from"node:fs";function h(r){let n;try{n=m("/proc")}catch{return[]}let e=new Map;for(let t of n){if(!/^\d+$/.test(t))continue;let l=g(t);if(l===void 0)continue;let a=e.get(l)??[];a.push(Number(t)),e.set(l,a)}let o=[],i=[r];for(;i.length>0;)for(let t of e.get(i.shift())??[])o.push(t),i.push(t);return o}function g(r){try{let n=p(`/proc/${r}/stat`,"utf8"),e=n.slice(n.lastIndexOf(")")+2).split(" ");return Number(e[1])}catch{return}}function u(r,n,e){for(let o of h(r))e.add(o);try{process.kill(-r,n)}catch{}for(let o of e)try{process.kill(o,n)}catch{e.delete(o)}}var c=class{trees=new Map;add(n,e){this.trees.set(n,{known:e,rootGone:!1})}rootExited(n){let e=this.trees.get(n);e&&(e.rootGone=!0)}delete(n){this.trees.delete(n)}get size(){return this.trees.size}killAll(){let n=this.trees.size;for(let[e,o]of this.trees)if(!o.rootGone)u(e,"SIGKILL",o.known);else for(let i of o.known)y(i);return this.trees.clear(),n}};function y(r){try{process.kill(r,"SIGKILL")}catch{}}var S=new c;export{s as a,w as b,b as c,u as d,S as e};
