/** The report page's style: readable on a laptop, printable, no external fonts. */
export const PAGE_STYLE = `
:root{--pass:#1a7f37;--fail:#cf222e;--finding:#9a6700;--na:#6e7781;--error:#8250df;--bg:#fff;--fg:#1f2328;--dim:#656d76;--line:#d0d7de;--soft:#f6f8fa}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
header,main,footer{max-width:1180px;margin:0 auto;padding:0 20px}header{padding-top:16px}h1{margin:0;font-size:22px}h2{font-size:18px;margin:22px 0 8px}h3{font-size:15px;margin:18px 0 6px}h4{margin:12px 0 4px;font-size:13px}h5{margin:4px 0;font-size:12px}
.dim{color:var(--dim);font-weight:normal}.lede{margin:2px 0 8px;color:var(--dim)}.warn{color:var(--fail)}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}.facts dt{color:var(--dim)}.facts dd{margin:0}
.toolbar{position:sticky;top:0;z-index:5;background:var(--soft);border-bottom:1px solid var(--line);padding:8px 20px;display:flex;gap:8px;flex-wrap:wrap;align-items:center}
.toolbar input,.toolbar select{font:inherit;padding:3px 6px;border:1px solid var(--line);border-radius:4px}#search{flex:1;min-width:220px}#f-checklist{width:110px}
.tiles{display:flex;gap:10px;flex-wrap:wrap}.tile{border:1px solid var(--line);border-radius:6px;padding:6px 14px;min-width:92px;display:flex;flex-direction:column;align-items:center;border-top:4px solid}.tile .n{font-size:24px;font-weight:600}
.b-pass{border-color:var(--pass)}.b-fail{border-color:var(--fail)}.b-finding{border-color:var(--finding)}.b-na{border-color:var(--na)}.b-error{border-color:var(--error)}
.badge{display:inline-block;min-width:58px;text-align:center;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff;background:var(--na)}
.badge.b-pass{background:var(--pass)}.badge.b-fail{background:var(--fail)}.badge.b-finding{background:var(--finding)}.badge.b-error{background:var(--error)}
table{border-collapse:collapse}th,td{border-bottom:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}.matrix td{text-align:center;min-width:60px}.matrix caption{text-align:left;color:var(--dim);padding:6px 0}
td.c-fail{color:var(--fail);font-weight:600}td.c-finding{color:var(--finding);font-weight:600}td.c-pass{color:var(--pass)}td.c-error{color:var(--error);font-weight:600}td.zero{color:var(--line)}
table.list{width:100%}.rules{white-space:nowrap;font-size:12px}.checklist .uncovered td{color:var(--dim)}.id{color:var(--finding);font-size:12px}
.chip{display:inline-block;font-size:12px;border:1px solid var(--line);border-radius:10px;padding:0 6px;margin:1px 0;text-decoration:none;color:inherit}.chip.c-fail{border-color:var(--fail)}.chip.c-finding{border-color:var(--finding)}.chip.c-pass{border-color:var(--pass)}
#checklist summary{cursor:pointer}#checklist summary h2{display:inline}
details.scenario{border:1px solid var(--line);border-left:5px solid var(--na);border-radius:4px;margin:4px 0}details.scenario>summary{cursor:pointer;padding:4px 8px;list-style:none}details.scenario>summary::-webkit-details-marker{display:none}
details.o-pass{border-left-color:var(--pass)}details.o-fail{border-left-color:var(--fail)}details.o-finding{border-left-color:var(--finding)}details.o-error{border-left-color:var(--error)}
details.scenario .body{padding:4px 12px 12px}.name{font-weight:600}.tag{font-size:11px;color:var(--dim);background:var(--soft);border-radius:3px;padding:0 4px}.ms{float:right;color:var(--dim);font-size:12px}
.steps{margin:4px 0;padding-left:22px}.steps li{margin:1px 0}.kw{font-weight:600;color:#0550ae}.s-fail{color:var(--fail)}.s-na{color:var(--dim)}.s-error{color:var(--error)}
pre{background:var(--soft);padding:6px 8px;border-radius:4px;overflow:auto;max-height:320px;font:12px/1.35 ui-monospace,Menlo,Consolas,monospace;margin:4px 0;white-space:pre-wrap}pre.error{background:#ffebe9;color:#82071e}
.verdict{border:1px solid var(--line);border-radius:6px;padding:6px 10px;margin:8px 0}.verdict.v-fail{background:#fff8f7}.verdict.v-finding{background:#fffbeb}.verdict p{margin:4px 0}.obs{margin:4px 0;padding-left:18px}.rule{font-weight:600}
.evidence{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:6px}
svg.msc{max-width:100%;height:auto;font:12px system-ui,sans-serif;display:block}svg .lane{fill:var(--soft);stroke:#8c959f}svg .ae{font-weight:600}svg .role{fill:var(--dim);font-size:11px}svg .life{stroke:#8c959f;stroke-dasharray:4 3}
svg .hit{fill:transparent}svg .r{cursor:pointer}svg .r:hover .hit,svg .r.sel .hit{fill:#ddf4ff}svg .arrow{stroke:#57606a;stroke-width:1.5}svg .head{fill:#57606a}svg .time,svg .side{fill:var(--dim);font-size:11px}svg .sub{fill:var(--dim);font-size:11px}
svg .t-ok .arrow{stroke:var(--pass)}svg .t-ok .head{fill:var(--pass)}svg .t-fail .arrow{stroke:var(--fail)}svg .t-fail .head{fill:var(--fail)}svg .t-fail .title{fill:var(--fail);font-weight:600}svg .t-warn .title{fill:var(--finding)}svg .t-pending .arrow{stroke:#0969da}svg .t-pending .head{fill:#0969da}
svg .note .box{fill:#fff8c5;stroke:#d4a72c}svg .note.t-fail .box{fill:#ffebe9;stroke:var(--fail)}svg .note.t-info .box{fill:var(--soft);stroke:var(--line)}svg .fold .box{fill:#fff;stroke:#8c959f;stroke-dasharray:5 3}svg .decisive .hit{fill:#ffebe9}
.detail{border:1px solid var(--line);border-radius:6px;padding:8px 12px;margin:6px 0;background:#fff}.detail ul{margin:4px 0;padding-left:18px}.attrs td{font-size:12px;padding:1px 8px}.attrs td:first-child{font-family:ui-monospace,monospace}
button{font:inherit;font-size:12px;padding:2px 8px;border:1px solid var(--line);border-radius:4px;background:var(--soft);cursor:pointer;margin:2px 4px 2px 0}
.hex{font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;white-space:pre;overflow:auto;max-height:360px;background:var(--soft);padding:6px;border-radius:4px}.hex .f0{background:#ddf4ff}.hex .f1{background:#fff8c5}.hex .hl{background:#ffd33d}.hex .bad{background:var(--fail);color:#fff}.hex .off{color:var(--dim)}
.why{background:#ffebe9;border-radius:4px;padding:6px 10px;margin-bottom:8px}.fields{max-height:260px;overflow:auto;display:block;font-size:12px}.fields tr:hover{background:#ddf4ff}.fault{color:var(--fail);font-weight:600}
footer{padding:20px;font-size:12px}[hidden]{display:none!important}
@media print{.toolbar{display:none}details.scenario{break-inside:avoid}}
`;

/** The page's script: filters, search, and opening a scenario (its body is unpacked on demand). */
export const PAGE_SCRIPT = `
(function(){
'use strict';
var $=function(s,r){return (r||document).querySelector(s)},$$=function(s,r){return Array.prototype.slice.call((r||document).querySelectorAll(s))};
function esc(s){return String(s).replace(/[&<>"']/g,function(c){return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]})}
var cache=new WeakMap();
function unpack(d){
  if(cache.has(d))return cache.get(d);
  var b64=$('script.packed',d).textContent,bin=atob(b64),bytes=new Uint8Array(bin.length);
  for(var i=0;i<bin.length;i++)bytes[i]=bin.charCodeAt(i);
  var p=new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text().then(JSON.parse);
  cache.set(d,p);return p;
}
function openScenario(d){
  if(d.dataset.ready)return Promise.resolve();
  return unpack(d).then(function(data){
    if(d.dataset.ready)return;
    d.dataset.ready='1';
    var body=$('.body',d);body.innerHTML=data.html;
    $$('section.chart',body).forEach(function(sec){
      var rows=data.charts[+sec.dataset.chart];
      $$('g.r',sec).forEach(function(g){
        var show=function(){$$('g.r.sel',sec).forEach(function(x){x.classList.remove('sel')});g.classList.add('sel');showRow($('.detail',sec),rows[+g.dataset.i])};
        g.addEventListener('click',show);g.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();show()}});
      });
    });
    if(d.dataset.openChart!==undefined){
      var sec=$('section.chart[data-chart="'+d.dataset.openChart+'"]',body),g=sec&&$('g.r[data-i="'+d.dataset.openRow+'"]',sec);
      if(g){g.dispatchEvent(new Event('click'));var box=$('.detail',sec);if(data.why&&data.why.length)box.insertAdjacentHTML('afterbegin','<div class="why"><b>Why this scenario failed</b> (the exchange it turned on is shown below)<ul>'+data.why.map(function(w){return '<li>'+esc(w)+'</li>'}).join('')+'</ul></div>');setTimeout(function(){sec.scrollIntoView({block:'start'})},0)}
    }
  });
}
function showRow(box,r){
  box.hidden=false;
  if(r.fold){
    box.innerHTML='<h4>'+esc(r.title)+'</h4><table class="attrs"><tr><th>time</th><th></th><th>message</th><th>status</th><th>timing</th></tr>'+r.rows.map(function(x){return '<tr><td>'+x.t.toFixed(1)+' ms</td><td>'+(x.from==='L'?'→':'←')+'</td><td>'+esc(x.title)+'</td><td>'+esc(x.sub||'')+'</td><td>'+esc(x.side||'')+'</td></tr>'}).join('')+'</table>'+(r.omitted?'<p class="dim">'+r.omitted+' more folded messages are not listed here (see the run\\'s messages.ndjson).</p>':'');
    return;
  }
  var h='<h4>'+esc(r.title)+(r.sub?' <span class="dim">'+esc(r.sub)+'</span>':'')+'</h4><p class="dim">at '+r.t.toFixed(1)+' ms'+(r.side?' · '+esc(r.side):'')+'</p>';
  if(r.lines&&r.lines.length)h+='<ul>'+r.lines.map(function(l){return '<li>'+esc(l)+'</li>'}).join('')+'</ul>';
  if(r.attrs&&r.attrs.length)h+='<h5>Identifier</h5><table class="attrs"><tr><th>tag</th><th>keyword</th><th>VR</th><th>value</th></tr>'+r.attrs.map(function(a){return '<tr><td>'+esc(a[1])+'</td><td style="padding-left:'+(8+a[0]*14)+'px">'+esc(a[2])+'</td><td>'+esc(a[3])+'</td><td>'+esc(a[4])+'</td></tr>'}).join('')+'</table>';
  if(r.attrsError)h+='<p class="fault">'+esc(r.attrsError)+'</p>';
  (r.pdus||[]).forEach(function(p,i){h+='<div class="pdu">'+(p.raw?'<button data-pdu="'+i+'">raw bytes of '+(r.pdus.length>1?'PDU '+(i+1)+' ':'the PDU ')+'('+p.length+' bytes)</button>':'<span class="dim">PDU of '+p.length+' bytes (bytes not kept)</span>')+(p.error?'<span class="fault"> decode fault'+(p.error.offset!==undefined?' at byte '+p.error.offset:'')+': '+esc(p.error.message)+'</span>':'')+'<div class="raw" hidden></div></div>'});
  box.innerHTML=h;
  $$('button[data-pdu]',box).forEach(function(b){b.addEventListener('click',function(){var raw=b.parentNode.querySelector('.raw');if(!raw.hidden){raw.hidden=true;return}raw.hidden=false;if(!raw.innerHTML)raw.innerHTML=hexView(r.pdus[+b.dataset.pdu]);wireHex(raw)})});
  if(r.pdus&&r.pdus.length===1&&r.pdus[0].error&&r.pdus[0].raw)$('button[data-pdu]',box).click();
}
function hexView(p){
  var bin=atob(p.raw),n=bin.length,owner=new Int32Array(n).fill(-1);
  p.fields.forEach(function(f,i){for(var k=f[0];k<f[0]+f[1]&&k<n;k++)owner[k]=i});
  var bad=p.error&&p.error.offset!==undefined?p.error.offset:-1,out=[];
  for(var row=0;row<n;row+=16){
    var hx='',as='';
    for(var k=row;k<row+16;k++){
      if(k>=n){hx+='   ';continue}
      var c=bin.charCodeAt(k),o=owner[k],cl=(k===bad?'bad ':'')+(o>=0?'f'+(o%2):'');
      var t=(c<16?'0':'')+c.toString(16).toUpperCase();
      hx+='<span class="'+cl+'" data-f="'+o+'" title="byte '+k+(o>=0?': '+esc(p.fields[o][2]):'')+'">'+t+'</span> ';
      as+='<span class="'+cl+'" data-f="'+o+'">'+(c>=32&&c<127?esc(String.fromCharCode(c)):'.')+'</span>';
    }
    out.push('<span class="off">'+('00000'+row.toString(16)).slice(-6)+'</span>  '+hx+' '+as);
  }
  var fields='<table class="fields"><tr><th>offset</th><th>length</th><th>field</th><th>value</th></tr>'+p.fields.map(function(f,i){return '<tr data-f="'+i+'"><td>'+f[0]+'</td><td>'+f[1]+'</td><td>'+esc(f[2])+'</td><td>'+esc(f[3]||'')+'</td></tr>'}).join('')+'</table>';
  return '<div class="hex">'+out.join('\\n')+'</div>'+(bad>=0?'<p class="fault">The decoder stopped at byte '+bad+' (highlighted).</p>':'')+fields;
}
function wireHex(raw){
  $$('.fields tr[data-f]',raw).forEach(function(tr){
    tr.addEventListener('mouseenter',function(){$$('.hex [data-f="'+tr.dataset.f+'"]',raw).forEach(function(s){s.classList.add('hl')})});
    tr.addEventListener('mouseleave',function(){$$('.hex .hl',raw).forEach(function(s){s.classList.remove('hl')})});
  });
}
$$('details.scenario').forEach(function(d){d.addEventListener('toggle',function(){if(d.open)openScenario(d)})});
function reveal(id){var d=document.getElementById(id);if(!d)return;d.open=true;openScenario(d).then(function(){d.scrollIntoView({block:'start'})})}
$$('[data-open]').forEach(function(a){a.addEventListener('click',function(e){e.preventDefault();history.replaceState(null,'','#'+a.dataset.open);reveal(a.dataset.open)})});
var search=$('#search'),fv=$('#f-verdict'),ft=$('#f-theme'),fc=$('#f-checklist');
function apply(){
  var q=search.value.trim().toLowerCase().split(/\\s+/).filter(Boolean),v=fv.value,t=ft.value,c=fc.value.trim(),shown=0,all=0;
  $$('details.scenario').forEach(function(d){
    all++;
    var ok=(!v||(v==='problem'?/^(fail|error|finding)$/.test(d.dataset.outcome):d.dataset.outcome===v))&&(!t||d.dataset.theme===t)&&(!c||d.dataset.checklist.indexOf(' '+c+' ')>=0)&&q.every(function(w){return d.dataset.text.indexOf(w)>=0});
    d.hidden=!ok;if(ok)shown++;
  });
  $$('section.feature').forEach(function(s){s.hidden=!$$('details.scenario',s).some(function(d){return !d.hidden})});
  $$('#headlines tr[data-theme]').forEach(function(r){r.hidden=!!(t&&r.dataset.theme!==t)||!!(v&&v!=='problem'&&!r.classList.contains('h-'+v))});
  $$('#checklist tr[data-item]').forEach(function(r){r.hidden=!!(c&&r.dataset.item!==c)});
  $('#shown').textContent=shown===all?all+' scenarios':shown+' of '+all+' scenarios shown';
}
[search,fv,ft,fc].forEach(function(el){el.addEventListener('input',apply)});
$$('[data-theme]').forEach(function(a){if(a.tagName==='A')a.addEventListener('click',function(e){e.preventDefault();ft.value=a.dataset.theme;apply();$('#scenarios').scrollIntoView()})});
$$('.tile').forEach(function(el){el.style.cursor='pointer';el.addEventListener('click',function(){fv.value=el.dataset.count;apply();$('#scenarios').scrollIntoView()})});
apply();
if(location.hash.length>1)reveal(decodeURIComponent(location.hash.slice(1)));
})();
`;
