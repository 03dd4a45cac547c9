DROP TABLE `alert_raises`;
