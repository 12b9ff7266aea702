#!/usr/bin/env python3
"""Calls and inclusive instructions per call of the functions matching a regex in a
callgrind output file. Usage: calls.py callgrind.out REGEX  (prints calls, Ir, Ir/call)."""
import sys,re
# sum calls and inclusive cost of calls to functions matching a pattern
pat=sys.argv[2]
names={}
calls=0;cost=0
lines=open(sys.argv[1]).read().split('\n')
i=0
cur=None
while i<len(lines):
    l=lines[i]
    m=re.match(r'cfn=\((\d+)\)(?: (.*))?',l)
    if m:
        if m.group(2): names[m.group(1)]=m.group(2)
        cur=names.get(m.group(1),'')
    elif l.startswith('fn='):
        m2=re.match(r'fn=\((\d+)\)(?: (.*))?',l)
        if m2 and m2.group(2): names[m2.group(1)]=m2.group(2)
    elif l.startswith('calls=') and cur is not None and re.search(pat,cur):
        n=int(l.split()[0][6:]); c=int(lines[i+1].split()[1])
        calls+=n; cost+=c
        i+=1
    i+=1
print(calls,cost,cost/max(calls,1))
