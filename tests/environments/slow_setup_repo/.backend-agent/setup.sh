# A setup that takes its time: the service is killed while it runs.
echo "setting up slowly"
sleep 300
