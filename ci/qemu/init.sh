#!/bin/busybox sh
# /init of the guest: load DAHDI, run the behaviour suite against /dev/dahdi, check the
# uevents it caused, print machine-readable result lines, power off.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

# Every uevent from here on (dahdi.md 7.4), in the background.
/behaviour --uevents >/uevents.log 2>&1 &
recorder=$!
sleep 0.2

# Debian's default, stated: spans stay unassigned until the bench assigns them (dahdi.md 7.1).
insmod /modules/dahdi.ko auto_assign_spans=0 || echo "GUEST-ERROR insmod dahdi"
insmod /modules/dahdi_dynamic.ko || echo "GUEST-ERROR insmod dahdi_dynamic"
insmod /modules/dahdi_dynamic_loc.ko || echo "GUEST-ERROR insmod dahdi_dynamic_loc"
ls -l /dev/dahdi

start=$(cut -d' ' -f1 /proc/uptime)
/behaviour --backend dahdi
echo "BEHAVIOUR-EXIT rc=$? started=$start ended=$(cut -d' ' -f1 /proc/uptime)"

sleep 0.2
kill "$recorder"
count() { grep -c "^UEVENT $1 $2 " /uevents.log; }
ctl=$(grep -c '^UEVENT add dahdi .*dahdi!ctl$' /uevents.log)
dev_add=$(count add dahdi_devices); dev_remove=$(count remove dahdi_devices)
span_add=$(count add dahdi_spans); span_offline=$(count offline dahdi_spans)
chan_add=$(count add dahdi_channels); chan_remove=$(count remove dahdi_channels)
echo "UEVENTS ctl=$ctl devices_add=$dev_add devices_remove=$dev_remove spans_add=$span_add spans_offline=$span_offline channels_add=$chan_add channels_remove=$chan_remove"
# Each bench creates and destroys 5 loc devices of 31 channels (more when a case
# removes and re-adds the far card); each must have been seen both ways.
if [ "$ctl" -ge 1 ] && [ "$dev_add" -ge 5 ] && [ "$dev_add" -eq "$dev_remove" ] \
   && [ "$span_add" -ge 5 ] && [ "$span_offline" -eq "$span_add" ] \
   && [ "$chan_add" -eq $((span_add * 31)) ] && [ "$chan_remove" -eq "$chan_add" ]; then
    echo "UEVENT-CHECK ok"
else
    echo "UEVENT-CHECK FAIL"
    grep -v ' dahdi_channels ' /uevents.log | head -40
fi
dmesg | grep -iE 'dahdi|tdmo|oops|bug' | tail -15
echo o >/proc/sysrq-trigger
sleep 5
