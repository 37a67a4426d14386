module.exports = require('../../webpack.app.config')(__dirname);
